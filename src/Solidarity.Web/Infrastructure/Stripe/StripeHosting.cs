using Stripe;

namespace Solidarity.Web.Infrastructure.Stripe;

internal static class StripeHosting
{
    public const string HttpClientName = "stripe";

    /// <summary>
    /// Registers Stripe.net. Outside Development and Testing both keys are required, and the site
    /// refuses to start without them rather than take donations it cannot confirm.
    /// </summary>
    public static void AddStripe(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(StripeSettings.Section).Get<StripeSettings>() ?? new StripeSettings();
        var mayUseTestCheckout = builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing");
        if (!mayUseTestCheckout && (settings.UsesTestCheckout || string.IsNullOrWhiteSpace(settings.WebhookSecret)))
        {
            throw new InvalidOperationException(
                "Stripe:SecretKey and Stripe:WebhookSecret must be set outside Development (environment variables " +
                "Stripe__SecretKey and Stripe__WebhookSecret). The built-in test checkout is for Development only.");
        }

        if (string.IsNullOrWhiteSpace(settings.WebhookSecret))
        {
            throw new InvalidOperationException("Stripe:WebhookSecret is not set: webhooks could not be verified.");
        }

        builder.Services.Configure<StripeSettings>(builder.Configuration.GetSection(StripeSettings.Section));
        builder.Services.AddHttpClient(HttpClientName, (services, http) =>
            http.Timeout = TimeSpan.FromSeconds(Math.Max(1, services.GetRequiredService<IOptions<StripeSettings>>().Value.TimeoutSeconds)));
        builder.Services.AddSingleton<IStripeClient>(services =>
        {
            var options = services.GetRequiredService<IOptions<StripeSettings>>().Value;
            var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
            return new StripeClient(new StripeClientOptions
            {
                ApiKey = options.SecretKey ?? "sk_test_site_test_checkout",
                ApiBase = string.IsNullOrWhiteSpace(options.ApiBase) ? null : options.ApiBase.TrimEnd('/'),
                // Stripe.net retries network failures and 5xx answers with the same idempotency key.
                HttpClient = new SystemNetHttpClient(http, maxNetworkRetries: 2),
            });
        });
        builder.Services.AddTransient<StripeWebhookCheck>();
    }
}
