namespace Solidarity.Web.Pages.Admin.Money;

internal static class MoneyHosting
{
    /// <summary>The admin's money pages: offline money and its reversal.</summary>
    public static IServiceCollection AddOfflineMoney(this IServiceCollection services) => services.AddScoped<OfflineMoney>();
}
