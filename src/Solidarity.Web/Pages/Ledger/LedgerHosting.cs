namespace Solidarity.Web.Pages.Ledger;

internal static class LedgerHosting
{
    /// <summary>The ledger: the one service that posts money, the sums the pages read, and the key supporters are counted by.</summary>
    public static void AddLedger(this WebApplicationBuilder builder)
    {
        ProductionSettings.RequireSecret(
            builder, SupporterKeys.Secret, "Keep it for good: a new key counts every donor again as new.");

        var services = builder.Services;
        services.AddSingleton<SupporterKeys>();
        services.AddScoped<LedgerPostings>();
        services.AddScoped<LedgerQueries>();
        services.AddScoped<CheckLedgerTotalsJob>();
    }
}
