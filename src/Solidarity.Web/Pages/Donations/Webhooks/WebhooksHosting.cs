namespace Solidarity.Web.Pages.Donations.Webhooks;

internal static class WebhooksHosting
{
    /// <summary>The Stripe webhook's processing, and the Stripe API reads it needs.</summary>
    public static IServiceCollection AddStripeWebhooks(this IServiceCollection services)
    {
        services.AddScoped<StripeLookups>();
        services.AddScoped<StripeEventProcessor>();
        return services;
    }
}
