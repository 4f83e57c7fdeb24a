using Solidarity.Web.Pages.Donations.Webhooks;

namespace Solidarity.Web.Pages.Donations.Ledger;

internal static class LedgerHosting
{
    /// <summary>The money side of donations: the Stripe webhook's processing and the ledger's queries.</summary>
    public static IServiceCollection AddDonationLedger(this IServiceCollection services)
    {
        services.AddScoped<LedgerQueries>();
        services.AddScoped<StripeLookups>();
        services.AddScoped<StripeEventProcessor>();
        return services;
    }
}
