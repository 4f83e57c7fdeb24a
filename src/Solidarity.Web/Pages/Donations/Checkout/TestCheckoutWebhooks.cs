using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Stripe;
using Solidarity.Web.Infrastructure.Stripe;

namespace Solidarity.Web.Pages.Donations.Checkout;

/// <summary>What the test checkout knows about the session it stands in for.</summary>
internal sealed record TestSession(
    string SessionId,
    Guid DonationId,
    string DisputeSlug,
    long ChargedPence,
    string Currency,
    string? Email,
    DateTimeOffset CreatedAt);

/// <summary>The outcome of one webhook the test checkout sent to the site.</summary>
internal sealed record WebhookDelivery(string EventType, string EventId, int? StatusCode, string? Error)
{
    public bool Delivered => StatusCode is >= 200 and < 300;
}

/// <summary>
/// Sends the site the webhooks Stripe would send for a test session, in Stripe's event format and signed
/// with Stripe:WebhookSecret by Stripe's own scheme, over HTTP to the site's own /webhooks/stripe, so that
/// verification and everything after it run exactly as they do for Stripe.
/// </summary>
internal sealed class TestCheckoutWebhooks(
    IHttpClientFactory httpClients,
    IOptions<StripeSettings> settings,
    TimeProvider clock,
    ILogger<TestCheckoutWebhooks> logger)
{
    public const string HttpClientName = "test-checkout-webhooks";
    public const string WebhookPath = "webhooks/stripe";

    public async Task<WebhookDelivery> SendAsync(Uri siteBase, TestCheckoutEvent kind, TestSession session, CancellationToken cancellationToken)
    {
        var (eventType, status, paymentStatus) = Describe(kind);
        var now = clock.GetUtcNow();
        // One event per session and outcome, as Stripe sends: pressing a button twice redelivers the same event.
        var eventId = "evt_test_local_" + Convert.ToHexStringLower(
            SHA256.HashData(Encoding.UTF8.GetBytes(session.SessionId + "|" + kind)))[..24];
        var payload = new JsonObject
        {
            ["id"] = eventId,
            ["object"] = "event",
            ["api_version"] = StripeConfiguration.ApiVersion,
            ["created"] = now.ToUnixTimeSeconds(),
            ["data"] = new JsonObject { ["object"] = SessionObject(session, status, paymentStatus) },
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = eventType,
        }.ToJsonString();

        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var secret = settings.Value.WebhookSecret ?? "";
        var signature = $"t={timestamp},v1={EventUtility.ComputeSignature(secret, timestamp, payload)}";

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(siteBase, WebhookPath))
        {
            Content = new StringContent(payload, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("Stripe-Signature", signature);

        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            var delivery = new WebhookDelivery(eventType, eventId, (int)response.StatusCode, null);
            if (!delivery.Delivered)
            {
                logger.LogWarning("Test checkout: {EventType} {EventId} for {SessionId} was answered {Status}",
                    eventType, eventId, session.SessionId, delivery.StatusCode);
            }

            return delivery;
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning(e, "Test checkout: {EventType} for {SessionId} could not be delivered", eventType, session.SessionId);
            return new WebhookDelivery(eventType, eventId, null, e.Message);
        }
    }

    private static (string Type, string Status, string PaymentStatus) Describe(TestCheckoutEvent kind) => kind switch
    {
        TestCheckoutEvent.Paid => ("checkout.session.completed", "complete", "paid"),
        // A payment method that settles later (Bacs, SEPA): Stripe reports the session complete but unpaid.
        TestCheckoutEvent.AwaitingPayment => ("checkout.session.completed", "complete", "unpaid"),
        TestCheckoutEvent.AsyncPaymentSucceeded => ("checkout.session.async_payment_succeeded", "complete", "paid"),
        TestCheckoutEvent.AsyncPaymentFailed => ("checkout.session.async_payment_failed", "complete", "unpaid"),
        TestCheckoutEvent.Expired => ("checkout.session.expired", "expired", "unpaid"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The checkout.session object as Stripe puts it in the event's data.object.</summary>
    private static JsonObject SessionObject(TestSession session, string status, string paymentStatus)
    {
        var donationId = session.DonationId.ToString();
        return new JsonObject
        {
            ["id"] = session.SessionId,
            ["object"] = "checkout.session",
            ["amount_subtotal"] = session.ChargedPence,
            ["amount_total"] = session.ChargedPence,
            ["client_reference_id"] = donationId,
            ["created"] = session.CreatedAt.ToUnixTimeSeconds(),
            ["currency"] = session.Currency.ToLowerInvariant(),
            ["customer_details"] = new JsonObject { ["email"] = session.Email, ["name"] = null },
            ["customer_email"] = session.Email,
            ["expires_at"] = session.CreatedAt.AddHours(24).ToUnixTimeSeconds(),
            ["livemode"] = false,
            ["metadata"] = new JsonObject { ["donation_id"] = donationId, ["dispute"] = session.DisputeSlug },
            ["mode"] = "payment",
            ["payment_intent"] = status == "expired" ? null : TestCheckoutGateway.PaymentIntentFor(session.SessionId),
            ["payment_method_types"] = new JsonArray("card"),
            ["payment_status"] = paymentStatus,
            ["status"] = status,
            ["submit_type"] = "donate",
            ["url"] = null,
        };
    }
}

/// <summary>The outcomes the test checkout can report, each as the event Stripe would send.</summary>
internal enum TestCheckoutEvent
{
    Paid,
    AwaitingPayment,
    AsyncPaymentSucceeded,
    AsyncPaymentFailed,
    Expired,
}
