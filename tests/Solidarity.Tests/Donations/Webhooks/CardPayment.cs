using System.Text.Json.Nodes;

namespace Solidarity.Tests.Donations.Webhooks;

/// <summary>One donation's life at Stripe: its session, payment intent and charge, and the events they send.</summary>
internal sealed class CardPayment(Guid donationId, long amountPence)
{
    private readonly List<JsonObject> _refunds = [];

    public Guid DonationId { get; } = donationId;
    public long AmountPence { get; } = amountPence;
    public string SessionId { get; } = "cs_test_" + donationId.ToString("N");
    public string PaymentIntentId { get; } = StripePayloads.NewId("pi");
    public string ChargeId { get; } = StripePayloads.NewId("ch");

    public string Completed(string paymentStatus = "paid") =>
        StripePayloads.Event("checkout.session.completed", StripePayloads.Session(DonationId, SessionId, PaymentIntentId, AmountPence, paymentStatus));

    public string SessionEvent(string type, string paymentStatus, string status) =>
        StripePayloads.Event(type, StripePayloads.Session(DonationId, SessionId, PaymentIntentId, AmountPence, paymentStatus, status));

    public string ChargeSucceeded(JsonNode? balanceTransaction = null, string type = "charge.succeeded") =>
        StripePayloads.Event(type, StripePayloads.Charge(DonationId, ChargeId, PaymentIntentId, AmountPence, balanceTransaction: balanceTransaction));

    /// <summary>A Bacs or SEPA charge still settling, as charge.updated reports it: not paid, though Stripe may already quote its fee.</summary>
    public string ChargePending(JsonNode? balanceTransaction = null)
    {
        var charge = StripePayloads.Charge(DonationId, ChargeId, PaymentIntentId, AmountPence, balanceTransaction: balanceTransaction);
        charge["status"] = "pending";
        charge["paid"] = false;
        return StripePayloads.Event("charge.updated", charge);
    }

    /// <summary>A refund, and the charge.refunded event that lists it with every earlier refund, as Stripe does.</summary>
    public (string RefundId, string Event) Refund(long amountPence)
    {
        var refundId = StripePayloads.NewId("re");
        _refunds.Add(StripePayloads.Refund(refundId, ChargeId, PaymentIntentId, amountPence, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + _refunds.Count));
        return (refundId, StripePayloads.Event("charge.refunded", StripePayloads.Charge(DonationId, ChargeId, PaymentIntentId, AmountPence, [.. _refunds])));
    }

    /// <summary>
    /// Stripe changes a refund's status (a pending refund the bank returns becomes "failed"): the
    /// charge.refund.updated event, and every later charge.refunded lists it with its new status.
    /// </summary>
    public string RefundUpdated(string refundId, string status, string? failureReason = null)
    {
        var refund = _refunds.Single(r => (string?)r["id"] == refundId);
        refund["status"] = status;
        refund["failure_reason"] = failureReason;
        return StripePayloads.Event("charge.refund.updated", (JsonObject)refund.DeepClone());
    }

    /// <summary>charge.refunded as Stripe would send it now, listing every refund with its current status.</summary>
    public string Refunded() =>
        StripePayloads.Event("charge.refunded", StripePayloads.Charge(DonationId, ChargeId, PaymentIntentId, AmountPence, [.. _refunds]));

    /// <summary>A refund with a given status and the charge.refunded event that lists it.</summary>
    public (string RefundId, string Event) Refund(long amountPence, string status)
    {
        var (refundId, _) = Refund(amountPence);
        _refunds[^1]["status"] = status;
        return (refundId, Refunded());
    }

    public string Dispute(string disputeId, string type, string status, long amountPence, params JsonObject[] balanceTransactions) =>
        StripePayloads.Event(type, StripePayloads.Dispute(disputeId, ChargeId, PaymentIntentId, amountPence, status, balanceTransactions));
}
