namespace Solidarity.Web.Pages.Donations.Checkout;

internal static class CheckoutHosting
{
    /// <summary>
    /// Card donations go to Stripe Checkout; without a Stripe secret key, which the Stripe registration only
    /// allows in Development and Testing, the site's own test checkout stands in.
    /// </summary>
    public static void AddDonationCheckout(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(services => new TestCheckoutMode(
            services.GetRequiredService<IOptions<StripeSettings>>().Value,
            services.GetRequiredService<IWebHostEnvironment>()));
        services.AddSingleton<FeeEstimator>();
        services.Configure<CheckoutLimitSettings>(builder.Configuration.GetSection(CheckoutLimitSettings.Section));
        services.AddScoped<CheckoutLimits>();
        services.AddScoped<CardTesting>();
        services.AddScoped<StripeCheckoutGateway>();
        services.AddScoped<TestCheckoutGateway>();
        services.AddScoped<ICheckoutGateway>(services => services.GetRequiredService<TestCheckoutMode>().IsAvailable
            ? services.GetRequiredService<TestCheckoutGateway>()
            : services.GetRequiredService<StripeCheckoutGateway>());
        services.AddScoped<TestCheckoutWebhooks>();
        services.AddHttpClient(TestCheckoutWebhooks.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
    }
}

/// <summary>Whether the built-in test checkout may be used: never in Production, never with a Stripe key.</summary>
internal sealed class TestCheckoutMode(StripeSettings settings, IWebHostEnvironment environment)
{
    public bool IsAvailable { get; } =
        settings.UsesTestCheckout && (environment.IsDevelopment() || environment.IsEnvironment("Testing"));
}
