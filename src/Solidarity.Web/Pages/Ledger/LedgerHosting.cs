namespace Solidarity.Web.Pages.Ledger;

internal static class LedgerHosting
{
    /// <summary>The ledger: the one service that posts money, the sums the pages read, and the key supporters are counted by.</summary>
    public static void AddLedger(this WebApplicationBuilder builder)
    {
        var key = builder.Configuration[SupporterSettings.CountingKeySetting];
        if (builder.Environment.IsProduction() && string.IsNullOrWhiteSpace(key))
        {
            // The development key is published in the source: with it, anyone could test a guessed email against a key.
            throw new InvalidOperationException(
                $"{SupporterSettings.CountingKeySetting} is not set: set {SupporterSettings.CountingKeySetting.Replace(":", "__", StringComparison.Ordinal)} " +
                "to a long random secret (e.g. the output of `openssl rand -hex 32`) and keep it: a new key counts every donor again as new.");
        }

        var services = builder.Services;
        services.Configure<SupporterSettings>(builder.Configuration.GetSection(SupporterSettings.Section));
        services.AddSingleton<SupporterKeys>();
        services.AddScoped<LedgerPostings>();
        services.AddScoped<LedgerQueries>();
        services.AddScoped<CheckLedgerTotalsJob>();
    }
}
