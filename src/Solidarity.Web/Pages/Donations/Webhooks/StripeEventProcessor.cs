using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Data;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Infrastructure.Stripe;
using Solidarity.Web.Pages.Donations.Checkout;
using Solidarity.Web.Pages.Donations.Monthly;
using Solidarity.Web.Pages.Ledger;
using Solidarity.Web.Pages.Receipts;
using Stripe;
using Stripe.Checkout;

namespace Solidarity.Web.Pages.Donations.Webhooks;

/// <summary>What the site did with a Stripe event, as recorded in StripeEvents.Outcome.</summary>
internal static class WebhookOutcomes
{
    public const string Applied = "applied";
    public const string Ignored = "ignored";
    public const string UnknownDonation = "unknown-donation";

    /// <summary>Stripe's amount or currency differs from what the site asked the donor to pay: nothing was posted.</summary>
    public const string AmountMismatch = "amount-mismatch";

    /// <summary>A refund reached failed or cancelled: anything posted for it was reversed, and it never posts again.</summary>
    public const string RefundEnded = "refund-ended";

    /// <summary>Not recorded: the event was already recorded by an earlier or concurrent delivery.</summary>
    public const string Duplicate = "duplicate";
}

/// <summary>
/// Applies one verified Stripe event exactly once. The event's row in StripeEvents is inserted first,
/// in the same transaction as every effect: a concurrent delivery of the same event waits on the
/// primary key and then finds it taken, so nothing applies twice. Events about one donation are
/// serialised by locking the donation's row. Every ledger entry is keyed by its cause, and any event
/// that proves a payment posts the donation's received entries under the same keys the completion
/// would, so events may arrive in any order without losing or doubling an entry.
/// </summary>
internal sealed partial class StripeEventProcessor(
    SolidarityDbContext db, LedgerPostings ledger, StripeLookups stripe, ReceiptScheduler receipts, PublicPageCache pages,
    PaidSessionBatches batches, CardTesting cardTesting, MonthlyGiftScheduler monthlyGifts, TimeProvider time, ILogger<StripeEventProcessor> logger)
{
    public const string DonationIdKey = "donation_id";

    /// <summary>Receipts and credit notes owed by the event being applied, enqueued once it has committed.</summary>
    private readonly List<Action> _afterCommit = [];

    /// <summary>The receipt job enqueued after this event's commit, which a credit note enqueued with it follows.</summary>
    private string? _receiptJob;

    /// <summary>The dispute whose money the event may have moved, once its donation is locked.</summary>
    private Guid? _disputeId;

    public async Task<string> ProcessAsync(Event stripeEvent, CancellationToken cancellationToken)
    {
        // A duplicate is answered before Stripe's API is asked about it, saving the lookups' network round trips. With no
        // API to ask (the test checkout) there is nothing to save, and the claim below answers duplicates on its own.
        if (stripe.CanAskStripe && await db.StripeEvents.AsNoTracking().AnyAsync(e => e.EventId == stripeEvent.Id, cancellationToken))
        {
            return WebhookOutcomes.Duplicate;
        }

        // Stripe's API is asked before the transaction opens, so no database lock is held over the network.
        var facts = await GatherAsync(stripeEvent, cancellationToken);

        // Most of a busy day's events are paid Checkout Sessions: those arriving together are applied together.
        if (PaidSessionOf(stripeEvent, facts) is { } paid && await batches.ApplyAsync(paid, cancellationToken) is { } batched)
        {
            return batched;
        }

        return await ApplyAloneAsync(stripeEvent, facts, cancellationToken);
    }

    /// <summary>Applies one event in a transaction of its own.</summary>
    private async Task<string> ApplyAloneAsync(Event stripeEvent, Facts facts, CancellationToken cancellationToken)
    {
        var occurredAt = new DateTimeOffset(DateTime.SpecifyKind(stripeEvent.Created, DateTimeKind.Utc));
        var objectId = (stripeEvent.Data?.Object as IHasId)?.Id;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claimed = await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            INSERT INTO "StripeEvents" ("EventId", "Type", "ObjectId", "StripeCreatedAt", "ReceivedAt", "Outcome")
            VALUES ({stripeEvent.Id}, {stripeEvent.Type}, {objectId}, {occurredAt}, {time.GetUtcNow()}, {WebhookOutcomes.Applied})
            ON CONFLICT ("EventId") DO NOTHING
            """,
            cancellationToken);
        if (claimed == 0)
        {
            return WebhookOutcomes.Duplicate;
        }

        // The claimed row is tracked as it was inserted, so its outcome is written in the same batch as the donation's changes.
        var record = new StripeEventRecord
        {
            EventId = stripeEvent.Id, Type = stripeEvent.Type, ObjectId = objectId, StripeCreatedAt = occurredAt, Outcome = WebhookOutcomes.Applied,
        };
        db.StripeEvents.Attach(record);
        // An invoice's facts are asked of Stripe here, in the transaction, once its payment is locked (InvoiceFactsAsync).
        if (stripeEvent.Data?.Object is Invoice paidInvoice && stripeEvent.Type == EventTypes.InvoicePaid)
        {
            facts = await InvoiceFactsAsync(paidInvoice, cancellationToken);
        }

        var (outcome, donationId) = await ApplyAsync(stripeEvent, facts, occurredAt, cancellationToken);
        record.Outcome = outcome;
        record.DonationId = donationId;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // A crash between the commit and here loses no receipt: IssueMissingReceiptsJob finds what is owed.
        foreach (var schedule in _afterCommit)
        {
            schedule();
        }

        // This process shows the new figures at once; the others within the cache's lifetime. Renders stay cheap (a few
        // rows of running totals), and visitors arriving together share one, so evicting on every payment is affordable.
        // A refund that ended gives money back, and a monthly payment refused for its amount may still start its gift.
        if (_disputeId is { } disputeId && outcome is WebhookOutcomes.Applied or WebhookOutcomes.RefundEnded or WebhookOutcomes.AmountMismatch)
        {
            await pages.EvictDisputeAsync(disputeId, cancellationToken);
        }

        if (outcome == WebhookOutcomes.UnknownDonation)
        {
            logger.LogWarning("Stripe event {EventId} ({Type}) about {ObjectId} matches no donation", stripeEvent.Id, stripeEvent.Type, objectId);
        }

        return outcome;
    }

    /// <param name="PaymentIntentId">For an invoice: the payment intent that paid it, when its charge is not known.</param>
    /// <param name="Disputes">For an invoice: the chargebacks its charge already has.</param>
    private sealed record Facts(
        Charge? Charge = null, BalanceTransaction? Fee = null, IReadOnlyList<Refund>? Refunds = null, string? PaymentIntentId = null,
        IReadOnlyList<Dispute>? Disputes = null);

    private async Task<Facts> GatherAsync(Event stripeEvent, CancellationToken cancellationToken)
    {
        switch (stripeEvent.Data?.Object)
        {
            case Session session when stripeEvent.Type is EventTypes.CheckoutSessionCompleted or EventTypes.CheckoutSessionAsyncPaymentSucceeded:
                try
                {
                    var charge = await stripe.LatestChargeAsync(session, cancellationToken);
                    return new Facts(charge, charge is null ? null : await stripe.BalanceTransactionAsync(charge, cancellationToken));
                }
                catch (Exception e) when (e is StripeException or HttpRequestException)
                {
                    // The fee is not needed to confirm the payment, and the charge's own events bring it again.
                    logger.LogWarning("Could not fetch the fee for checkout session {SessionId}: {Error}", session.Id, StripeErrors.Describe(e));
                    return new Facts();
                }

            case Charge charge when stripeEvent.Type is EventTypes.ChargeSucceeded or EventTypes.ChargeUpdated:
                return new Facts(charge, await stripe.BalanceTransactionAsync(charge, cancellationToken));

            case Charge charge when stripeEvent.Type is EventTypes.ChargeRefunded:
                return new Facts(charge, Refunds: await stripe.RefundsAsync(charge, cancellationToken));

            case Dispute dispute when IsDisputeEvent(stripeEvent.Type):
                var known = await FindDonationIdAsync(Metadata(dispute.Charge?.Metadata, dispute.Metadata), null, dispute.PaymentIntentId, dispute.ChargeId, cancellationToken);
                return new Facts(known is null ? await stripe.ChargeAsync(dispute, cancellationToken) : dispute.Charge);

            default:
                return new Facts();
        }
    }

    private Task<(string Outcome, Guid? DonationId)> ApplyAsync(Event stripeEvent, Facts facts, DateTimeOffset occurredAt, CancellationToken cancellationToken) =>
        (stripeEvent.Type, stripeEvent.Data?.Object) switch
        {
            (EventTypes.CheckoutSessionCompleted, Session { Mode: "subscription" } session) =>
                MonthlySessionCompletedAsync(session, occurredAt, cancellationToken),
            (EventTypes.CheckoutSessionExpired, Session { Mode: "subscription" } session) =>
                MonthlySessionExpiredAsync(session, occurredAt, cancellationToken),
            (EventTypes.InvoicePaid, Invoice invoice) =>
                InvoicePaidAsync(invoice, facts, occurredAt, cancellationToken),
            (EventTypes.InvoicePaymentFailed, Invoice invoice) =>
                InvoicePaymentFailedAsync(invoice, occurredAt, cancellationToken),
            (EventTypes.CustomerSubscriptionUpdated or EventTypes.CustomerSubscriptionDeleted, Subscription subscription) =>
                SubscriptionChangedAsync(subscription, stripeEvent.Type == EventTypes.CustomerSubscriptionDeleted, occurredAt, cancellationToken),
            (EventTypes.CheckoutSessionCompleted or EventTypes.CheckoutSessionAsyncPaymentSucceeded, Session session) =>
                SessionPaidAsync(session, stripeEvent.Type == EventTypes.CheckoutSessionAsyncPaymentSucceeded, facts, occurredAt, cancellationToken),
            (EventTypes.CheckoutSessionAsyncPaymentFailed or EventTypes.CheckoutSessionExpired, Session session) =>
                SessionEndedAsync(session, stripeEvent.Type == EventTypes.CheckoutSessionExpired, cancellationToken),
            (EventTypes.ChargeSucceeded or EventTypes.ChargeUpdated or EventTypes.ChargeRefunded, Charge charge) =>
                ChargeAsync(charge, facts, occurredAt, cancellationToken),
            (var type, Dispute dispute) when IsDisputeEvent(type) =>
                DisputeAsync(dispute, type, facts, occurredAt, cancellationToken),
            (EventTypes.ChargeRefundUpdated, Refund refund) =>
                RefundUpdatedAsync(refund, occurredAt, cancellationToken),
            (EventTypes.PaymentIntentPaymentFailed, PaymentIntent intent) =>
                DeclinedAsync(Metadata(intent.Metadata), intent.Id, intent.LastPaymentError?.Charge ?? intent.LatestChargeId, stripeEvent.Id, cancellationToken),
            (EventTypes.ChargeFailed, Charge charge) =>
                DeclinedAsync(Metadata(charge.Metadata), charge.PaymentIntentId, charge.Id, stripeEvent.Id, cancellationToken),
            _ => Task.FromResult<(string, Guid?)>((WebhookOutcomes.Ignored, null)),
        };

    /// <summary>
    /// The events of a chargeback. Stripe withdraws the money when it opens one (<c>funds_withdrawn</c> follows
    /// <c>created</c>) and reinstates it when the organisation wins (<c>funds_reinstated</c> beside <c>closed</c>); each
    /// pair posts under one ledger key per dispute, so the money moves once, in any delivery order.
    /// </summary>
    private static bool IsDisputeEvent(string type) => type is EventTypes.ChargeDisputeCreated or EventTypes.ChargeDisputeClosed
        or EventTypes.ChargeDisputeFundsWithdrawn or EventTypes.ChargeDisputeFundsReinstated;

    private async Task<(string, Guid?)> SessionPaidAsync(
        Session session, bool asyncPaymentSucceeded, Facts facts, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var locked = await FindAndLockAsync(
            Metadata(session.Metadata) ?? ParseId(session.ClientReferenceId), session.Id, session.PaymentIntentId, facts.Charge?.Id, cancellationToken);
        if (locked is null)
        {
            return (WebhookOutcomes.UnknownDonation, null);
        }

        var donation = locked.Donation;
        if (Mismatched(donation, session.AmountTotal, session.Currency, session.Id))
        {
            return (WebhookOutcomes.AmountMismatch, donation.Id);
        }

        NoteSession(donation, session, facts.Charge?.Id);
        if (asyncPaymentSucceeded || session.PaymentStatus == "paid")
        {
            await ConfirmPaidAsync(locked, session.PaymentIntentId ?? session.Id, occurredAt, cancellationToken);
        }
        else if (donation.Status == DonationStatus.Pending)
        {
            donation.Status = DonationStatus.AwaitingPayment;
        }

        await ledger.FeeAsync(locked, Fee(facts.Fee), occurredAt, cancellationToken);
        return (WebhookOutcomes.Applied, donation.Id);
    }

    private async Task<(string, Guid?)> SessionEndedAsync(Session session, bool expired, CancellationToken cancellationToken)
    {
        var donation = (await FindAndLockAsync(
            Metadata(session.Metadata) ?? ParseId(session.ClientReferenceId), session.Id, session.PaymentIntentId, null, cancellationToken,
            lockBranches: false))?.Donation;
        if (donation is null)
        {
            return (WebhookOutcomes.UnknownDonation, null);
        }

        // An earlier session of the same gift (the form sent again a day later opens another) ends nothing but itself.
        if (donation.StripeCheckoutSessionId is { } current && current != session.Id)
        {
            return (WebhookOutcomes.Ignored, donation.Id);
        }

        if (expired && donation.Status == DonationStatus.Pending)
        {
            donation.Status = DonationStatus.Expired;
        }
        else if (!expired && donation.Status is DonationStatus.Pending or DonationStatus.AwaitingPayment)
        {
            donation.Status = DonationStatus.Failed;
        }

        return (WebhookOutcomes.Applied, donation.Id);
    }

    private async Task<(string, Guid?)> ChargeAsync(Charge charge, Facts facts, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var locked = await FindAndLockAsync(Metadata(charge.Metadata), null, charge.PaymentIntentId, charge.Id, cancellationToken);
        if (locked is null)
        {
            return (NotFound(charge.Metadata), null);
        }

        var donation = locked.Donation;
        if (Mismatched(donation, charge.Amount > 0 ? charge.Amount : null, charge.Currency, charge.Id))
        {
            return (WebhookOutcomes.AmountMismatch, donation.Id);
        }

        donation.StripeChargeId ??= charge.Id;
        donation.StripePaymentIntentId ??= charge.PaymentIntentId;
        if (charge.Paid && charge.Status == "succeeded")
        {
            await ConfirmPaidAsync(locked, charge.Id, occurredAt, cancellationToken);
        }

        await ledger.FeeAsync(locked, Fee(facts.Fee), occurredAt, cancellationToken);
        await PostRefundsAsync(locked, facts.Refunds ?? [], occurredAt, cancellationToken);
        return (WebhookOutcomes.Applied, donation.Id);
    }

    /// <summary>
    /// Posts each refund of the charge not posted yet, and owes a credit note for it: a charge's events, and a monthly
    /// payment's <c>invoice.paid</c> for the refunds made before its donation existed.
    /// </summary>
    private async Task PostRefundsAsync(LockedDonation locked, IEnumerable<Refund> refunds, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        foreach (var refund in refunds.OrderBy(r => r.Created).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            // A failed or cancelled refund gave nothing back; pending ones have already left the balance. A refund
            // posted while pending and listed here as failed is reversed by its own charge.refund.updated, not here.
            if (refund.Status is "failed" or "canceled" || await RefundEndedAsync(refund.Id, cancellationToken))
            {
                continue;
            }

            if (await ledger.RefundAsync(locked, refund.Id, refund.Amount, Instant(refund.Created, occurredAt), cancellationToken))
            {
                var (donationId, refundId) = (locked.Donation.Id, refund.Id);
                _afterCommit.Add(() => receipts.RefundRecorded(donationId, refundId, afterJobId: _receiptJob));
            }
        }
    }

    private async Task<(string, Guid?)> DisputeAsync(
        Dispute dispute, string type, Facts facts, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var locked = await FindAndLockAsync(
            Metadata(facts.Charge?.Metadata, dispute.Metadata), null, dispute.PaymentIntentId ?? facts.Charge?.PaymentIntentId,
            dispute.ChargeId, cancellationToken);
        if (locked is null)
        {
            // Listed for the admins, as money taken back from a charge the site cannot place yet. A monthly payment's
            // charge names no donation: its invoice.paid, which makes the donation, posts the chargebacks it already has.
            return (WebhookOutcomes.UnknownDonation, null);
        }

        var donation = locked.Donation;

        // Only a charge that was paid can be disputed, so the dispute itself proves a payment not yet confirmed: unless it is
        // for another sum than the donation's, by its charge or by an earlier event held back for that. Then nothing is
        // posted until an admin has settled the payment, as for any other of its events. A payment already confirmed and
        // posted takes its chargeback whatever the charge says, as the money is gone.
        if (donation.Status != DonationStatus.Paid
            && (Mismatched(donation, facts.Charge is { Amount: > 0 } charge ? charge.Amount : null, facts.Charge?.Currency, dispute.ChargeId)
                || await HeldForMismatchAsync(donation.Id, cancellationToken)))
        {
            return (WebhookOutcomes.AmountMismatch, donation.Id);
        }

        donation.StripeChargeId ??= dispute.ChargeId;
        await ConfirmPaidAsync(locked, dispute.ChargeId, occurredAt, cancellationToken);
        await PostDisputeAsync(locked, dispute, type, occurredAt, cancellationToken);
        return (WebhookOutcomes.Applied, donation.Id);
    }

    /// <summary>
    /// Posts what a chargeback has moved so far, as its status and (when it came by one of its events) the event's type
    /// say: a charge's dispute events, and a monthly payment's <c>invoice.paid</c> for the chargebacks opened before its
    /// donation existed (<paramref name="type"/> null).
    /// </summary>
    private async Task PostDisputeAsync(LockedDonation locked, Dispute dispute, string? type, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        // Inquiries ("warning_…") withdraw no money, and neither does their closing; a reinstatement, a closed dispute
        // or a withdrawal each imply the opening, whichever came first.
        if (dispute.Status?.StartsWith("warning_", StringComparison.Ordinal) == true && type != EventTypes.ChargeDisputeFundsWithdrawn)
        {
            return;
        }

        await ledger.ChargebackAsync(locked, dispute.Id, dispute.Amount, Instant(dispute.Created, occurredAt), cancellationToken);
        foreach (var fee in dispute.BalanceTransactions ?? [])
        {
            await ledger.FeeAsync(locked, Fee(fee), occurredAt, cancellationToken, LedgerEntryKind.ChargebackFee);
        }

        if (dispute.Status == "won" || type == EventTypes.ChargeDisputeFundsReinstated)
        {
            await ledger.ChargebackReversedAsync(locked, dispute.Id, occurredAt, cancellationToken);
        }
    }

    /// <summary>
    /// A refund that fails or is cancelled after it was posted gives the money back to the branches, exactly as
    /// it was taken from each. The credit note already issued for it stands, as every issued document does; a
    /// fresh receipt for the restored gift would follow a reversal only if the organisation decides it wants one.
    /// </summary>
    private async Task<(string, Guid?)> RefundUpdatedAsync(Refund refund, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var locked = await FindAndLockAsync(Metadata(refund.Metadata), null, refund.PaymentIntentId, refund.ChargeId, cancellationToken);
        if (locked is null)
        {
            return (WebhookOutcomes.UnknownDonation, null);
        }

        if (refund.Status is not ("failed" or "canceled"))
        {
            return (WebhookOutcomes.Applied, locked.Donation.Id);
        }

        var givenBack = await ledger.RefundFailedAsync(locked, refund.Id, refund.FailureReason, occurredAt, cancellationToken);
        if (givenBack > 0)
        {
            logger.LogWarning(
                "Refund {RefundId} of donation {DonationId} is {Status} ({FailureReason}); gave {Pence}p back to the branches",
                refund.Id, locked.Donation.Id, refund.Status, refund.FailureReason, givenBack);
        }

        // Recorded so that a charge.refunded delivered late, still listing this refund as pending, never posts it.
        return (WebhookOutcomes.RefundEnded, locked.Donation.Id);
    }

    /// <summary>
    /// A card declined inside Checkout: no money moved and the donor may still pay with another card, so the donation is
    /// left as it is. The attempt counts towards blocking card testing, once whichever of its two events comes first:
    /// both name its charge. Stripe's decline message is not logged, since it may quote the card holder's details.
    /// </summary>
    private async Task<(string, Guid?)> DeclinedAsync(
        Guid? donationId, string? paymentIntentId, string? chargeId, string eventId, CancellationToken cancellationToken)
    {
        if (await FindDonationIdAsync(donationId, null, paymentIntentId, chargeId, cancellationToken) is not { } id)
        {
            return (donationId is null ? WebhookOutcomes.Ignored : WebhookOutcomes.UnknownDonation, null);
        }

        var email = await db.Donations.AsNoTracking().Where(d => d.Id == id).Select(d => d.Email).SingleAsync(cancellationToken);
        if (await cardTesting.DeclinedAsync(id, email, chargeId ?? eventId, cancellationToken))
        {
            logger.LogWarning("Declined card payments for donation {DonationId} blocked new checkouts from its client or email address for a day", id);
        }

        return (WebhookOutcomes.Applied, id);
    }

    /// <summary>
    /// What a charge event matching no donation was. Every one-off gift's charge carries its donation's id; a charge
    /// without one is a monthly gift's invoice charge, whose donation its <c>invoice.paid</c> makes (often a moment
    /// after the charge's own events), or a charge the site did not start. Neither is a gift gone missing, so neither
    /// is listed on the reconciliation page.
    /// </summary>
    private static string NotFound(IDictionary<string, string>? metadata) =>
        Metadata(metadata) is null ? WebhookOutcomes.Ignored : WebhookOutcomes.UnknownDonation;

    private Task<bool> RefundEndedAsync(string refundId, CancellationToken cancellationToken) =>
        db.StripeEvents.AsNoTracking().AnyAsync(
            e => e.Type == EventTypes.ChargeRefundUpdated && e.ObjectId == refundId && e.Outcome == WebhookOutcomes.RefundEnded, cancellationToken);

    /// <summary>
    /// Whether Stripe took a different sum than the donation records: the ledger must hold what the donor paid,
    /// not what the site meant them to, so such an event posts nothing and waits for an admin. An amount or
    /// currency the payload leaves out proves nothing either way and does not block.
    /// </summary>
    private bool Mismatched(Donation donation, long? amount, string? currency, string stripeObjectId)
    {
        if (!Differs(donation, amount, currency))
        {
            return false;
        }

        logger.LogWarning(
            "Stripe {StripeObjectId} is for {Amount} {Currency} but donation {DonationId} charged {Charged} {DonationCurrency}; nothing posted",
            stripeObjectId, amount, currency, donation.Id, donation.ChargedPence, donation.Currency);
        return true;
    }

    /// <summary>Whether an earlier event about the donation was held back as being for another sum.</summary>
    private Task<bool> HeldForMismatchAsync(Guid donationId, CancellationToken cancellationToken) =>
        db.StripeEvents.AsNoTracking().AnyAsync(e => e.Outcome == WebhookOutcomes.AmountMismatch && e.DonationId == donationId, cancellationToken);

    private static bool Differs(Donation donation, long? amount, string? currency) =>
        (amount is { } given && given != donation.ChargedPence)
        || (!string.IsNullOrEmpty(currency) && !string.Equals(currency, donation.Currency, StringComparison.OrdinalIgnoreCase));

    private async Task ConfirmPaidAsync(LockedDonation locked, string? stripeObjectId, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        if (MarkPaid(locked.Donation, occurredAt))
        {
            var donationId = locked.Donation.Id;
            _afterCommit.Add(() => _receiptJob = receipts.DonationConfirmed(donationId));
        }

        await ledger.PaymentConfirmedAsync(locked, stripeObjectId, occurredAt, cancellationToken);
    }

    /// <summary>Keeps Stripe's ids for the session's payment on the donation, where it has none yet.</summary>
    private static void NoteSession(Donation donation, Session session, string? chargeId)
    {
        donation.StripeCheckoutSessionId ??= session.Id;
        donation.StripePaymentIntentId ??= session.PaymentIntentId;
        donation.StripeChargeId ??= chargeId;
    }

    /// <returns>Whether the donation became Paid now, and so owes its receipt.</returns>
    private static bool MarkPaid(Donation donation, DateTimeOffset occurredAt)
    {
        if (donation.Status == DonationStatus.Paid)
        {
            return false;
        }

        donation.Status = DonationStatus.Paid;
        donation.PaidAt ??= occurredAt;
        return true;
    }

    private static StripeFee? Fee(BalanceTransaction? transaction) =>
        transaction is null ? null : new StripeFee(transaction.Id, transaction.Fee, transaction.Net);

    private async Task<LockedDonation?> FindAndLockAsync(
        Guid? donationId, string? sessionId, string? paymentIntentId, string? chargeId, CancellationToken cancellationToken, bool lockBranches = true)
    {
        // The id the site put in the metadata is almost always there: it is locked straight away, in one round trip.
        var locked = donationId is { } known ? await LedgerLocks.CardDonationAsync(db, known, cancellationToken, withBranches: lockBranches) : null;
        if (locked is null && await FindDonationIdAsync(null, sessionId, paymentIntentId, chargeId, cancellationToken) is { } found)
        {
            locked = await LedgerLocks.CardDonationAsync(db, found, cancellationToken, withBranches: lockBranches);
        }

        // A month's payment names no donation: its invoice.paid makes one. If that is being applied now, this waits for it
        // and looks again; if it is not yet, it gathers what Stripe says of the payment only after this event has committed.
        if (locked is null && donationId is null && stripe.CanAskStripe && !string.IsNullOrEmpty(paymentIntentId))
        {
            await LockPaymentAsync(paymentIntentId, cancellationToken);
            if (await FindDonationIdAsync(null, sessionId, paymentIntentId, chargeId, cancellationToken) is { } made)
            {
                locked = await LedgerLocks.CardDonationAsync(db, made, cancellationToken, withBranches: lockBranches);
            }
        }

        _disputeId = locked?.Donation.DisputeId;
        return locked;
    }

    /// <summary>
    /// Serialises, for one payment intent, a month's <c>invoice.paid</c> with the events about its charge that arrive while
    /// it is applied (its fee, a refund, a chargeback). Until it commits they would find no donation, and what Stripe
    /// told it before may not have held them yet. A transaction-scoped advisory lock, taken before any row lock, and only by
    /// those two paths.
    /// </summary>
    private async Task LockPaymentAsync(string paymentIntentId, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""SELECT pg_advisory_xact_lock(hashtextextended({"stripe-payment:" + paymentIntentId}, 0))""", cancellationToken);

    private async Task<Guid?> FindDonationIdAsync(
        Guid? donationId, string? sessionId, string? paymentIntentId, string? chargeId, CancellationToken cancellationToken)
    {
        var card = db.Donations.AsNoTracking().Where(d => d.Method == DonationMethod.Card);
        if (donationId is { } id && await card.AnyAsync(d => d.Id == id, cancellationToken))
        {
            return id;
        }

        if (!string.IsNullOrEmpty(sessionId)
            && await card.Where(d => d.StripeCheckoutSessionId == sessionId).Select(d => (Guid?)d.Id).FirstOrDefaultAsync(cancellationToken) is { } bySession)
        {
            return bySession;
        }

        if (!string.IsNullOrEmpty(paymentIntentId)
            && await card.Where(d => d.StripePaymentIntentId == paymentIntentId).Select(d => (Guid?)d.Id).FirstOrDefaultAsync(cancellationToken) is { } byIntent)
        {
            return byIntent;
        }

        return string.IsNullOrEmpty(chargeId)
            ? null
            : await card.Where(d => d.StripeChargeId == chargeId).Select(d => (Guid?)d.Id).FirstOrDefaultAsync(cancellationToken);
    }

    private static Guid? Metadata(params IDictionary<string, string>?[] metadata) =>
        metadata.Select(m => m is not null && m.TryGetValue(DonationIdKey, out var value) ? ParseId(value) : null).FirstOrDefault(id => id is not null);

    private static Guid? ParseId(string? value) => Guid.TryParse(value, out var id) ? id : null;

    private static DateTimeOffset Instant(DateTime stripeTime, DateTimeOffset fallback) =>
        stripeTime == default ? fallback : new DateTimeOffset(DateTime.SpecifyKind(stripeTime, DateTimeKind.Utc));
}
