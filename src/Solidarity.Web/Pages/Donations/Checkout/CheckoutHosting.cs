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
        services.AddSingleton<DonationAttempts>();
        services.Configure<CheckoutLimitSettings>(builder.Configuration.GetSection(CheckoutLimitSettings.Section));
        services.AddScoped<CheckoutLimits>();
        services.AddScoped<CardTesting>();
        services.AddStripeOrTestCheckout<ICheckoutGateway, StripeCheckoutGateway, TestCheckoutGateway>();
        services.AddScoped<TestCheckoutWebhooks>();
        services.AddHttpClient(TestCheckoutWebhooks.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Registers <typeparamref name="TService"/> as Stripe's <typeparamref name="TStripe"/>, or, where the test checkout is
    /// available (<see cref="TestCheckoutMode"/>), as the test checkout's <typeparamref name="TTestCheckout"/>.
    /// </summary>
    public static void AddStripeOrTestCheckout<TService, TStripe, TTestCheckout>(this IServiceCollection services)
        where TService : class
        where TStripe : class, TService
        where TTestCheckout : class, TService
    {
        services.AddScoped<TStripe>();
        services.AddScoped<TTestCheckout>();
        services.AddScoped<TService>(provider => provider.GetRequiredService<TestCheckoutMode>().IsAvailable
            ? provider.GetRequiredService<TTestCheckout>()
            : provider.GetRequiredService<TStripe>());
    }
}

/// <summary>Whether the built-in test checkout may be used: never in Production, never with a Stripe key.</summary>
internal sealed class TestCheckoutMode(StripeSettings settings, IWebHostEnvironment environment)
{
    public bool IsAvailable { get; } =
        settings.UsesTestCheckout && (environment.IsDevelopment() || environment.IsEnvironment("Testing"));
}
