using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Stripe;

namespace Solidarity.Web.Pages.Donations.Checkout;

/// <summary>What the test checkout knows about the session it stands in for.</summary>
internal sealed record TestSession(
    string SessionId,
    Guid DonationId,
    string DisputeSlug,
    long ChargedPence,
    string Currency,
    string? Email,
    DateTimeOffset CreatedAt,
    bool Monthly = false);

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
        var sessionObject = SessionObject(session, status, paymentStatus);
        if (!session.Monthly)
        {
            return await SendEventAsync(siteBase, eventType, kind.ToString(), sessionObject, session, cancellationToken);
        }

        // A monthly gift's session in subscription mode, and when paid, its first invoice paid as Stripe reports it.
        var suffix = session.SessionId[TestCheckoutGateway.SessionPrefix.Length..];
        var (subscriptionId, customerId, invoiceId) = ("sub_test_local_" + suffix, "cus_test_local_" + suffix, "in_test_local_" + suffix);
        var metadata = new JsonObject { [Monthly.MonthlyGiftMetadata.GiftIdKey] = session.DonationId.ToString() };
        sessionObject["mode"] = "subscription";
        sessionObject["payment_intent"] = null;
        sessionObject["metadata"] = metadata.DeepClone();
        if (status == "complete")
        {
            (sessionObject["subscription"], sessionObject["customer"], sessionObject["invoice"]) = (subscriptionId, customerId, invoiceId);
        }

        var delivery = await SendEventAsync(siteBase, eventType, kind.ToString(), sessionObject, session, cancellationToken);
        if (!delivery.Delivered || kind != TestCheckoutEvent.Paid)
        {
            return delivery;
        }

        return await SendEventAsync(siteBase, "invoice.paid", "invoice", InvoiceObject(session, invoiceId, subscriptionId, customerId, metadata), session, cancellationToken);
    }

    /// <summary>A monthly gift's first invoice, paid, in the shape Stripe.net's API version reads (parent.subscription_details, payments).</summary>
    private JsonObject InvoiceObject(TestSession session, string invoiceId, string subscriptionId, string customerId, JsonObject metadata)
    {
        var now = clock.GetUtcNow();
        return new JsonObject
        {
            ["id"] = invoiceId,
            ["object"] = "invoice",
            ["amount_due"] = session.ChargedPence,
            ["amount_paid"] = session.ChargedPence,
            ["billing_reason"] = "subscription_create",
            ["currency"] = session.Currency.ToLowerInvariant(),
            ["customer"] = customerId,
            ["lines"] = ListOf(new JsonObject
            {
                ["id"] = "il_" + invoiceId,
                ["object"] = "line_item",
                ["amount"] = session.ChargedPence,
                ["period"] = new JsonObject { ["start"] = now.ToUnixTimeSeconds(), ["end"] = now.AddMonths(1).ToUnixTimeSeconds() },
            }),
            ["livemode"] = false,
            ["parent"] = new JsonObject
            {
                ["type"] = "subscription_details",
                ["subscription_details"] = new JsonObject { ["metadata"] = metadata.DeepClone(), ["subscription"] = subscriptionId },
            },
            ["payments"] = ListOf(new JsonObject
            {
                ["id"] = "inpay_" + invoiceId,
                ["object"] = "invoice_payment",
                ["amount_paid"] = session.ChargedPence,
                ["invoice"] = invoiceId,
                ["is_default"] = true,
                ["payment"] = new JsonObject { ["type"] = "payment_intent", ["payment_intent"] = TestCheckoutGateway.PaymentIntentFor(session.SessionId) },
                ["status"] = "paid",
            }),
            ["status"] = "paid",
            ["status_transitions"] = new JsonObject { ["paid_at"] = now.ToUnixTimeSeconds() },
        };
    }

    /// <summary>Stripe's list object, as it embeds one in another, holding <paramref name="item"/> alone.</summary>
    private static JsonObject ListOf(JsonObject item) => new()
    {
        ["object"] = "list",
        ["data"] = new JsonArray(item),
        ["has_more"] = false,
    };

    private async Task<WebhookDelivery> SendEventAsync(
        Uri siteBase, string eventType, string kind, JsonObject dataObject, TestSession session, CancellationToken cancellationToken)
    {
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
            ["data"] = new JsonObject { ["object"] = dataObject },
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
