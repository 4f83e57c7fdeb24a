namespace Solidarity.Web.Pages.Admin.Donors;

internal static class DonorsHosting
{
    public static void AddDonorRecords(this IServiceCollection services)
    {
        services.AddScoped<DonorRecords>();
        services.AddScoped<DonorErasure>();
    }
}
