namespace Solidarity.Web.Pages.Ledger;

internal static class LedgerHosting
{
    /// <summary>The ledger: the one service that posts money, and the sums the pages read.</summary>
    public static IServiceCollection AddLedger(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SupporterSettings>(configuration.GetSection(SupporterSettings.Section));
        services.AddSingleton<SupporterKeys>();
        services.AddScoped<LedgerPostings>();
        services.AddScoped<LedgerQueries>();
        services.AddScoped<CheckLedgerTotalsJob>();
        return services;
    }
}
