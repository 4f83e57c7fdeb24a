namespace Solidarity.Web.Pages.Admin.Money;

internal static class MoneyHosting
{
    /// <summary>The admin's money pages: offline money and its reversal.</summary>
    public static void AddOfflineMoney(this WebApplicationBuilder builder) => builder.Services.AddScoped<OfflineMoney>();
}
