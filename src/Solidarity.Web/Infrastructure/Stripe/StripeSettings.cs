namespace Solidarity.Web.Infrastructure.Stripe;

/// <summary>The "Stripe" configuration section.</summary>
internal sealed class StripeSettings
{
    public const string Section = "Stripe";

    /// <summary>sk_live_… or sk_test_…; without it (Development and tests only) the site's own test checkout stands in.</summary>
    public string? SecretKey { get; set; }

    /// <summary>whsec_…: the signing secret of the webhook endpoint /webhooks/stripe.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Another base URL for Stripe's API, for tests; Stripe's own when unset.</summary>
    public string? ApiBase { get; set; }

    /// <summary>
    /// Seconds one call to Stripe's API may take before it is abandoned and retried (twice, with the same idempotency
    /// key). Stripe.net waits 80 s by default: a donor would be looking at a spinning page for minutes.
    /// </summary>
    public int TimeoutSeconds { get; set; } = 8;

    /// <summary>Seconds a webhook signature stays valid.</summary>
    public int WebhookToleranceSeconds { get; set; } = 300;

    /// <summary>The processing fee estimate offered to donors who choose to cover it: basis points of the charge…</summary>
    public int FeeEstimateBasisPoints { get; set; } = 150;

    /// <summary>…plus a fixed part, in pence.</summary>
    public long FeeEstimateFixedPence { get; set; } = 20;

    public bool UsesTestCheckout => string.IsNullOrWhiteSpace(SecretKey);
}
