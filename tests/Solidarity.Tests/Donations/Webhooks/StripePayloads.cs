using System.Text.Json.Nodes;

namespace Solidarity.Tests.Donations.Webhooks;

/// <summary>The project's own Stripe objects and events, in the shape Stripe's API sends them (GBP, pence).</summary>
internal static class StripePayloads
{
    private static long _sequence;

    public static string NewId(string prefix) => $"{prefix}_test_{Interlocked.Increment(ref _sequence):D6}{Guid.NewGuid():N}"[..(prefix.Length + 30)];

    public static string Event(string type, JsonObject dataObject, string? id = null, DateTimeOffset? created = null) =>
        new JsonObject
        {
            ["id"] = id ?? NewId("evt"),
            ["object"] = "event",
            ["api_version"] = Stripe.StripeConfiguration.ApiVersion,
            ["created"] = (created ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
            ["data"] = new JsonObject { ["object"] = dataObject },
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = type,
        }.ToJsonString();

    public static JsonObject Session(
        Guid donationId, string sessionId, string paymentIntentId, long amount, string paymentStatus = "paid", string status = "complete") =>
        new()
        {
            ["id"] = sessionId,
            ["object"] = "checkout.session",
            ["amount_subtotal"] = amount,
            ["amount_total"] = amount,
            ["cancel_url"] = "https://solidarity.example/disputes/test/donate",
            ["client_reference_id"] = donationId.ToString(),
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["currency"] = "gbp",
            ["customer_details"] = new JsonObject { ["email"] = "supporter@example.org", ["name"] = null },
            ["expires_at"] = DateTimeOffset.UtcNow.AddHours(24).ToUnixTimeSeconds(),
            ["livemode"] = false,
            ["metadata"] = new JsonObject { ["donation_id"] = donationId.ToString() },
            ["mode"] = "payment",
            ["payment_intent"] = paymentIntentId,
            ["payment_method_types"] = new JsonArray("card"),
            ["payment_status"] = paymentStatus,
            ["status"] = status,
            ["submit_type"] = "donate",
            ["success_url"] = "https://solidarity.example/donations/thank-you",
            ["url"] = null,
        };

    public static JsonObject Charge(
        Guid? donationId, string chargeId, string paymentIntentId, long amount, IReadOnlyList<JsonObject>? refunds = null,
        JsonNode? balanceTransaction = null)
    {
        var refunded = refunds?.Sum(r => (long)r["amount"]!) ?? 0;
        return new JsonObject
        {
            ["id"] = chargeId,
            ["object"] = "charge",
            ["amount"] = amount,
            ["amount_captured"] = amount,
            ["amount_refunded"] = refunded,
            ["balance_transaction"] = balanceTransaction?.DeepClone(),
            ["captured"] = true,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["currency"] = "gbp",
            ["disputed"] = false,
            ["livemode"] = false,
            ["metadata"] = donationId is null ? new JsonObject() : new JsonObject { ["donation_id"] = donationId.ToString() },
            ["paid"] = true,
            ["payment_intent"] = paymentIntentId,
            ["refunded"] = refunded == amount,
            ["refunds"] = refunds is null ? null : new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(refunds.Select(r => (JsonNode)r.DeepClone()).ToArray()),
                ["has_more"] = false,
                ["url"] = $"/v1/charges/{chargeId}/refunds",
            },
            ["status"] = "succeeded",
        };
    }

    public static JsonObject Refund(string refundId, string chargeId, string paymentIntentId, long amount, long created, string status = "succeeded") =>
        new()
        {
            ["id"] = refundId,
            ["object"] = "refund",
            ["amount"] = amount,
            ["balance_transaction"] = null,
            ["charge"] = chargeId,
            ["created"] = created,
            ["currency"] = "gbp",
            ["metadata"] = new JsonObject(),
            ["payment_intent"] = paymentIntentId,
            ["reason"] = "requested_by_customer",
            ["status"] = status,
        };

    public static JsonObject Dispute(string disputeId, string chargeId, string paymentIntentId, long amount, string status, params JsonObject[] balanceTransactions) =>
        new()
        {
            ["id"] = disputeId,
            ["object"] = "dispute",
            ["amount"] = amount,
            ["balance_transactions"] = new JsonArray(balanceTransactions.Select(b => b.DeepClone()).ToArray()),
            ["charge"] = chargeId,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["currency"] = "gbp",
            ["is_charge_refundable"] = false,
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["payment_intent"] = paymentIntentId,
            ["reason"] = "fraudulent",
            ["status"] = status,
        };

    public static JsonObject BalanceTransaction(string id, string sourceId, long amount, long fee, string type = "charge") =>
        new()
        {
            ["id"] = id,
            ["object"] = "balance_transaction",
            ["amount"] = amount,
            ["available_on"] = DateTimeOffset.UtcNow.AddDays(7).ToUnixTimeSeconds(),
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["currency"] = "gbp",
            ["fee"] = fee,
            ["fee_details"] = new JsonArray(new JsonObject
            {
                ["amount"] = fee, ["currency"] = "gbp", ["description"] = "Stripe processing fees", ["type"] = "stripe_fee",
            }),
            ["net"] = amount - fee,
            ["reporting_category"] = type,
            ["source"] = sourceId,
            ["status"] = "pending",
            ["type"] = type,
        };

    public static JsonObject PaymentIntent(Guid donationId, string paymentIntentId, long amount, JsonObject latestCharge) =>
        new()
        {
            ["id"] = paymentIntentId,
            ["object"] = "payment_intent",
            ["amount"] = amount,
            ["amount_received"] = amount,
            ["currency"] = "gbp",
            ["latest_charge"] = latestCharge.DeepClone(),
            ["livemode"] = false,
            ["metadata"] = new JsonObject { ["donation_id"] = donationId.ToString() },
            ["status"] = "succeeded",
        };

    /// <summary>
    /// A Checkout Session in subscription mode, completed: it names the subscription and customer it created and the
    /// first invoice, and carries no payment intent of its own.
    /// </summary>
    public static JsonObject SubscriptionSession(
        Guid giftId, string sessionId, string subscriptionId, string customerId, string invoiceId, long amount, string status = "complete",
        string paymentStatus = "paid") =>
        new()
        {
            ["id"] = sessionId,
            ["object"] = "checkout.session",
            ["amount_subtotal"] = amount,
            ["amount_total"] = amount,
            ["cancel_url"] = "https://solidarity.example/disputes/test/donate",
            ["client_reference_id"] = giftId.ToString(),
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["currency"] = "gbp",
            ["customer"] = status == "complete" ? customerId : null,
            ["customer_details"] = new JsonObject { ["email"] = "supporter@example.org", ["name"] = null },
            ["expires_at"] = DateTimeOffset.UtcNow.AddHours(24).ToUnixTimeSeconds(),
            ["invoice"] = status == "complete" ? invoiceId : null,
            ["livemode"] = false,
            ["metadata"] = new JsonObject { ["monthly_gift_id"] = giftId.ToString() },
            ["mode"] = "subscription",
            ["payment_intent"] = null,
            ["payment_method_types"] = new JsonArray("card"),
            ["payment_status"] = paymentStatus,
            ["status"] = status,
            ["subscription"] = status == "complete" ? subscriptionId : null,
            ["success_url"] = "https://solidarity.example/monthly/thank-you",
            ["url"] = null,
        };

    /// <summary>
    /// An invoice of a subscription, in the shape of the API version Stripe.net pins: the subscription and its metadata under
    /// <c>parent.subscription_details</c>, and (when <paramref name="payment"/> is given, as if the payments were expanded)
    /// the payment that paid it under <c>payments</c>, naming its payment intent.
    /// </summary>
    public static JsonObject Invoice(
        string invoiceId, string subscriptionId, string customerId, JsonObject subscriptionMetadata, long amount, string status,
        DateTimeOffset periodStart, JsonObject? payment = null, int attemptCount = 1, DateTimeOffset? nextPaymentAttempt = null,
        string billingReason = "subscription_cycle")
    {
        var paid = status == "paid";
        var periodEnd = periodStart.AddMonths(1);
        return new JsonObject
        {
            ["id"] = invoiceId,
            ["object"] = "invoice",
            ["account_country"] = "GB",
            ["amount_due"] = amount,
            ["amount_paid"] = paid ? amount : 0,
            ["amount_remaining"] = paid ? 0 : amount,
            ["attempt_count"] = attemptCount,
            ["attempted"] = true,
            ["billing_reason"] = billingReason,
            ["collection_method"] = "charge_automatically",
            ["created"] = periodStart.ToUnixTimeSeconds(),
            ["currency"] = "gbp",
            ["customer"] = customerId,
            ["customer_email"] = "supporter@example.org",
            ["lines"] = new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(new JsonObject
                {
                    ["id"] = NewId("il"),
                    ["object"] = "line_item",
                    ["amount"] = amount,
                    ["currency"] = "gbp",
                    ["description"] = "1 × Monthly strike fund gift",
                    ["invoice"] = invoiceId,
                    ["livemode"] = false,
                    ["metadata"] = new JsonObject(),
                    ["period"] = new JsonObject { ["start"] = periodStart.ToUnixTimeSeconds(), ["end"] = periodEnd.ToUnixTimeSeconds() },
                    ["quantity"] = 1,
                    ["parent"] = new JsonObject
                    {
                        ["type"] = "subscription_item_details",
                        ["subscription_item_details"] = new JsonObject
                        {
                            ["invoice_item"] = null, ["proration"] = false, ["subscription"] = subscriptionId, ["subscription_item"] = NewId("si"),
                        },
                    },
                }),
                ["has_more"] = false,
                ["url"] = $"/v1/invoices/{invoiceId}/lines",
            },
            ["livemode"] = false,
            ["metadata"] = new JsonObject(),
            ["next_payment_attempt"] = nextPaymentAttempt?.ToUnixTimeSeconds(),
            ["parent"] = new JsonObject
            {
                ["type"] = "subscription_details",
                ["quote_details"] = null,
                ["subscription_details"] = new JsonObject { ["metadata"] = subscriptionMetadata.DeepClone(), ["subscription"] = subscriptionId },
            },
            ["payments"] = payment is null ? null : new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(payment.DeepClone()),
                ["has_more"] = false,
                ["url"] = "/v1/invoice_payments",
            },
            ["period_end"] = periodStart.ToUnixTimeSeconds(),
            ["period_start"] = periodStart.AddMonths(-1).ToUnixTimeSeconds(),
            ["status"] = status,
            ["status_transitions"] = new JsonObject
            {
                ["finalized_at"] = periodStart.ToUnixTimeSeconds(), ["marked_uncollectible_at"] = null,
                ["paid_at"] = paid ? periodStart.AddMinutes(1).ToUnixTimeSeconds() : null, ["voided_at"] = null,
            },
            ["subtotal"] = amount,
            ["total"] = amount,
        };
    }

    /// <summary>An invoice payment: how Stripe records what paid an invoice (here a payment intent).</summary>
    public static JsonObject InvoicePayment(string invoiceId, string paymentIntentId, long amount, string status = "paid") =>
        new()
        {
            ["id"] = NewId("inpay"),
            ["object"] = "invoice_payment",
            ["amount_paid"] = status == "paid" ? amount : null,
            ["amount_requested"] = amount,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["currency"] = "gbp",
            ["invoice"] = invoiceId,
            ["is_default"] = true,
            ["livemode"] = false,
            ["payment"] = new JsonObject { ["type"] = "payment_intent", ["payment_intent"] = paymentIntentId },
            ["status"] = status,
            ["status_transitions"] = new JsonObject { ["canceled_at"] = null, ["paid_at"] = status == "paid" ? DateTimeOffset.UtcNow.ToUnixTimeSeconds() : null },
        };

    /// <summary>
    /// A subscription: its monthly item (the current period now lives on the item), its metadata, and
    /// <c>pause_collection</c> when collection is paused.
    /// </summary>
    public static JsonObject Subscription(
        string subscriptionId, string customerId, JsonObject metadata, long amount, string status, DateTimeOffset currentPeriodStart,
        string? pauseBehavior = null, DateTimeOffset? canceledAt = null) =>
        new()
        {
            ["id"] = subscriptionId,
            ["object"] = "subscription",
            ["billing_cycle_anchor"] = currentPeriodStart.ToUnixTimeSeconds(),
            ["cancel_at"] = null,
            ["cancel_at_period_end"] = false,
            ["canceled_at"] = canceledAt?.ToUnixTimeSeconds(),
            ["collection_method"] = "charge_automatically",
            ["created"] = currentPeriodStart.ToUnixTimeSeconds(),
            ["currency"] = "gbp",
            ["customer"] = customerId,
            ["ended_at"] = canceledAt?.ToUnixTimeSeconds(),
            ["items"] = new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(new JsonObject
                {
                    ["id"] = NewId("si"),
                    ["object"] = "subscription_item",
                    ["created"] = currentPeriodStart.ToUnixTimeSeconds(),
                    ["current_period_start"] = currentPeriodStart.ToUnixTimeSeconds(),
                    ["current_period_end"] = currentPeriodStart.AddMonths(1).ToUnixTimeSeconds(),
                    ["metadata"] = new JsonObject(),
                    ["price"] = new JsonObject
                    {
                        ["id"] = NewId("price"),
                        ["object"] = "price",
                        ["active"] = false,
                        ["currency"] = "gbp",
                        ["product"] = NewId("prod"),
                        ["recurring"] = new JsonObject { ["interval"] = "month", ["interval_count"] = 1, ["usage_type"] = "licensed" },
                        ["type"] = "recurring",
                        ["unit_amount"] = amount,
                    },
                    ["quantity"] = 1,
                    ["subscription"] = subscriptionId,
                }),
                ["has_more"] = false,
                ["url"] = $"/v1/subscription_items?subscription={subscriptionId}",
            },
            ["latest_invoice"] = null,
            ["livemode"] = false,
            ["metadata"] = metadata.DeepClone(),
            ["pause_collection"] = pauseBehavior is null ? null : new JsonObject { ["behavior"] = pauseBehavior, ["resumes_at"] = null },
            ["start_date"] = currentPeriodStart.ToUnixTimeSeconds(),
            ["status"] = status,
        };
}
