using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Donations;
using Solidarity.Web.Pages.Ledger;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Webhooks;

namespace Solidarity.Tests.Donations.Monthly;

/// <summary>
/// One monthly gift's life at Stripe: the Checkout Session that started its subscription, the subscription, an invoice
/// a month (each paid by its own payment intent and charge), and the events they send, signed by the tests' sender.
/// </summary>
internal sealed class MonthlySubscription(Guid giftId, long chargedPence, Guid disputeId, string disputeSlug, DateTimeOffset? start = null)
{
    private readonly Dictionary<int, MonthInvoice> _invoices = [];

    public Guid GiftId { get; } = giftId;
    public long ChargedPence { get; } = chargedPence;
    public string SessionId { get; } = "cs_test_" + giftId.ToString("N");
    public string SubscriptionId { get; } = StripePayloads.NewId("sub");
    public string CustomerId { get; } = StripePayloads.NewId("cus");
    public DateTimeOffset Start { get; } = start ?? DateTimeOffset.UtcNow.AddMinutes(-5);

    /// <summary>What the site wrote into the subscription's metadata.</summary>
    public JsonObject Metadata { get; set; } = new()
    {
        ["monthly_gift_id"] = giftId.ToString(), ["dispute_id"] = disputeId.ToString(), ["dispute"] = disputeSlug, ["branch"] = "shares",
    };

    /// <summary>The invoice of month <paramref name="month"/> (1 is the first, paid at Checkout), with its payment intent and charge.</summary>
    public MonthInvoice Invoice(int month)
    {
        if (!_invoices.TryGetValue(month, out var invoice))
        {
            invoice = new MonthInvoice(StripePayloads.NewId("in"), StripePayloads.NewId("pi"), StripePayloads.NewId("ch"), Start.AddMonths(month - 1));
            _invoices[month] = invoice;
        }

        return invoice;
    }

    public string Completed() =>
        StripePayloads.Event(
            "checkout.session.completed",
            StripePayloads.SubscriptionSession(GiftId, SessionId, SubscriptionId, CustomerId, Invoice(1).Id, ChargedPence),
            created: Start);

    public string Expired() =>
        StripePayloads.Event(
            "checkout.session.expired",
            StripePayloads.SubscriptionSession(GiftId, SessionId, SubscriptionId, CustomerId, Invoice(1).Id, ChargedPence, "expired", "unpaid"));

    /// <summary>invoice.paid for the month; with <paramref name="expandedPayments"/> false, without the payments, as a webhook sends it.</summary>
    public string Paid(int month, bool expandedPayments = true, string? eventId = null)
    {
        var invoice = Invoice(month);
        return StripePayloads.Event(
            "invoice.paid",
            StripePayloads.Invoice(
                invoice.Id, SubscriptionId, CustomerId, Metadata, ChargedPence, "paid", invoice.PeriodStart,
                expandedPayments ? StripePayloads.InvoicePayment(invoice.Id, invoice.PaymentIntentId, ChargedPence) : null,
                billingReason: month == 1 ? "subscription_create" : "subscription_cycle"),
            id: eventId,
            created: invoice.PeriodStart.AddMinutes(1));
    }

    public string Failed(int month, int attempt, DateTimeOffset? nextAttempt)
    {
        var invoice = Invoice(month);
        return StripePayloads.Event(
            "invoice.payment_failed",
            StripePayloads.Invoice(
                invoice.Id, SubscriptionId, CustomerId, Metadata, ChargedPence, "open", invoice.PeriodStart, attemptCount: attempt,
                nextPaymentAttempt: nextAttempt),
            created: invoice.PeriodStart.AddDays(attempt - 1).AddMinutes(1));
    }

    public JsonObject SubscriptionObject(string status = "active", string? pauseBehavior = null, DateTimeOffset? canceledAt = null) =>
        StripePayloads.Subscription(SubscriptionId, CustomerId, Metadata, ChargedPence, status, Start, pauseBehavior, canceledAt);

    public string Updated(DateTimeOffset created, string status = "active", string? pauseBehavior = null) =>
        StripePayloads.Event("customer.subscription.updated", SubscriptionObject(status, pauseBehavior), created: created);

    public string Deleted(DateTimeOffset created) =>
        StripePayloads.Event("customer.subscription.deleted", SubscriptionObject("canceled", canceledAt: created), created: created);

    /// <summary>charge.refunded for the month's charge, which (as Stripe makes it for an invoice) carries no metadata of the site's.</summary>
    public string Refunded(int month, string refundId, long pence)
    {
        var invoice = Invoice(month);
        var refund = StripePayloads.Refund(refundId, invoice.ChargeId, invoice.PaymentIntentId, pence, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        return StripePayloads.Event("charge.refunded", StripePayloads.Charge(null, invoice.ChargeId, invoice.PaymentIntentId, ChargedPence, [refund]));
    }

    /// <summary>The subscription's answer at the stand-in: its status, pause and metadata as the site's calls left them.</summary>
    public JsonObject Render(StandInSubscription subscription)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in subscription.Metadata)
        {
            metadata[key] = value;
        }

        return StripePayloads.Subscription(SubscriptionId, CustomerId, metadata, ChargedPence, subscription.Status, Start, subscription.PauseBehavior);
    }

    /// <summary>A pending monthly gift as the donate form leaves it: £<paramref name="pence"/> a month, shared by the shares unless a branch is chosen.</summary>
    public static async Task<Guid> PendingGiftAsync(
        SolidarityApp app, Guid disputeId, long pence, Guid? chosenBranch = null, string email = "monthly@example.org", string? publicName = null)
    {
        var now = DateTimeOffset.UtcNow;
        await using var scope = app.Scope();
        var gift = new MonthlyGift
        {
            DisputeId = disputeId, ChosenBranchId = chosenBranch, AmountPence = pence, DonorName = "Jo Monthly", Email = email,
            DonorKey = scope.ServiceProvider.GetRequiredService<SupporterKeys>().For(email, null), PublicName = publicName, PrivacyConsentAt = now, Status = MonthlyGiftStatus.Pending,
            CreatedAt = now, UpdatedAt = now,
        };
        gift.StripeCheckoutSessionId = "cs_test_" + gift.Id.ToString("N");
        await app.WithDbAsync(db =>
        {
            db.MonthlyGifts.Add(gift);
            return db.SaveChangesAsync();
        });
        return gift.Id;
    }
}

internal sealed record MonthInvoice(string Id, string PaymentIntentId, string ChargeId, DateTimeOffset PeriodStart);
