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
}
