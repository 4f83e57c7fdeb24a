namespace Solidarity.Web.Pages.Donations.Webhooks;

internal static class WebhooksHosting
{
    /// <summary>The Stripe webhook's processing, and the Stripe API reads it needs.</summary>
    public static void AddStripeWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<StripeLookups>();
        builder.Services.AddScoped<StripeEventProcessor>();
        builder.Services.AddSingleton<PaidSessionBatches>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PaidSessionBatches>());
    }
}
