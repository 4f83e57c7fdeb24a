using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Data;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Core.Money;
using Solidarity.Web.Pages.Donations.Ledger;
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
internal sealed class StripeEventProcessor(
    SolidarityDbContext db, StripeLookups stripe, ReceiptScheduler receipts, TimeProvider time, ILogger<StripeEventProcessor> logger)
{
    public const string DonationIdKey = "donation_id";

    /// <summary>Receipts and credit notes owed by the event being applied, enqueued once it has committed.</summary>
    private readonly List<Action> _afterCommit = [];

    public async Task<string> ProcessAsync(Event stripeEvent, CancellationToken cancellationToken)
    {
        if (await db.StripeEvents.AsNoTracking().AnyAsync(e => e.EventId == stripeEvent.Id, cancellationToken))
        {
            return WebhookOutcomes.Duplicate;
        }

        // Stripe's API is asked before the transaction opens, so no database lock is held over the network.
        var facts = await GatherAsync(stripeEvent, cancellationToken);
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

        var (outcome, donationId) = await ApplyAsync(stripeEvent, facts, occurredAt, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""UPDATE "StripeEvents" SET "Outcome" = {outcome}, "DonationId" = {donationId} WHERE "EventId" = {stripeEvent.Id}""",
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // A crash between the commit and here loses no receipt: IssueMissingReceiptsJob finds what is owed.
        foreach (var schedule in _afterCommit)
        {
            schedule();
        }

        if (outcome == WebhookOutcomes.UnknownDonation)
        {
            logger.LogWarning("Stripe event {EventId} ({Type}) about {ObjectId} matches no donation", stripeEvent.Id, stripeEvent.Type, objectId);
        }

        return outcome;
    }

    private sealed record Facts(Charge? Charge = null, BalanceTransaction? Fee = null, IReadOnlyList<Refund>? Refunds = null);

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
                    logger.LogWarning(e, "Could not fetch the fee for checkout session {SessionId}", session.Id);
                    return new Facts();
                }

            case Charge charge when stripeEvent.Type is EventTypes.ChargeSucceeded or EventTypes.ChargeUpdated:
                return new Facts(charge, await stripe.BalanceTransactionAsync(charge, cancellationToken));

            case Charge charge when stripeEvent.Type is EventTypes.ChargeRefunded:
                return new Facts(charge, Refunds: await stripe.RefundsAsync(charge, cancellationToken));

            case Dispute dispute when stripeEvent.Type is EventTypes.ChargeDisputeCreated or EventTypes.ChargeDisputeClosed:
                var known = await FindDonationIdAsync(Metadata(dispute.Charge?.Metadata, dispute.Metadata), null, dispute.PaymentIntentId, dispute.ChargeId, cancellationToken);
                return new Facts(known is null ? await stripe.ChargeAsync(dispute, cancellationToken) : dispute.Charge);

            default:
                return new Facts();
        }
    }

    private Task<(string Outcome, Guid? DonationId)> ApplyAsync(Event stripeEvent, Facts facts, DateTimeOffset occurredAt, CancellationToken cancellationToken) =>
        (stripeEvent.Type, stripeEvent.Data?.Object) switch
        {
            (EventTypes.CheckoutSessionCompleted or EventTypes.CheckoutSessionAsyncPaymentSucceeded, Session session) =>
                SessionPaidAsync(session, stripeEvent.Type == EventTypes.CheckoutSessionAsyncPaymentSucceeded, facts, occurredAt, cancellationToken),
            (EventTypes.CheckoutSessionAsyncPaymentFailed or EventTypes.CheckoutSessionExpired, Session session) =>
                SessionEndedAsync(session, stripeEvent.Type == EventTypes.CheckoutSessionExpired, cancellationToken),
            (EventTypes.ChargeSucceeded or EventTypes.ChargeUpdated or EventTypes.ChargeRefunded, Charge charge) =>
                ChargeAsync(charge, facts, occurredAt, cancellationToken),
            (EventTypes.ChargeDisputeCreated or EventTypes.ChargeDisputeClosed, Dispute dispute) =>
                DisputeAsync(dispute, facts, occurredAt, cancellationToken),
            (EventTypes.ChargeRefundUpdated, Refund refund) =>
                RefundUpdatedAsync(refund, occurredAt, cancellationToken),
            _ => Task.FromResult<(string, Guid?)>((WebhookOutcomes.Ignored, null)),
        };

    private async Task<(string, Guid?)> SessionPaidAsync(
        Session session, bool asyncPaymentSucceeded, Facts facts, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var donation = await FindAndLockAsync(
            Metadata(session.Metadata) ?? ParseId(session.ClientReferenceId), session.Id, session.PaymentIntentId, facts.Charge?.Id, cancellationToken);
        if (donation is null)
        {
            return (WebhookOutcomes.UnknownDonation, null);
        }

        if (Mismatched(donation, session.AmountTotal, session.Currency, session.Id))
        {
            return (WebhookOutcomes.AmountMismatch, donation.Id);
        }

        donation.StripeCheckoutSessionId ??= session.Id;
        donation.StripePaymentIntentId ??= session.PaymentIntentId;
        donation.StripeChargeId ??= facts.Charge?.Id;
        if (asyncPaymentSucceeded || session.PaymentStatus == "paid")
        {
            await ConfirmPaidAsync(donation, session.PaymentIntentId ?? session.Id, occurredAt, cancellationToken);
        }
        else if (donation.Status == DonationStatus.Pending)
        {
            donation.Status = DonationStatus.AwaitingPayment;
        }

        await PostFeeAsync(donation, facts.Fee, occurredAt, cancellationToken);
        return (WebhookOutcomes.Applied, donation.Id);
    }

    private async Task<(string, Guid?)> SessionEndedAsync(Session session, bool expired, CancellationToken cancellationToken)
    {
        var donation = await FindAndLockAsync(
            Metadata(session.Metadata) ?? ParseId(session.ClientReferenceId), session.Id, session.PaymentIntentId, null, cancellationToken,
            lockBranches: false);
        if (donation is null)
        {
            return (WebhookOutcomes.UnknownDonation, null);
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
        var donation = await FindAndLockAsync(Metadata(charge.Metadata), null, charge.PaymentIntentId, charge.Id, cancellationToken);
        if (donation is null)
        {
            return (WebhookOutcomes.UnknownDonation, null);
        }

        if (Mismatched(donation, charge.Amount > 0 ? charge.Amount : null, charge.Currency, charge.Id))
        {
            return (WebhookOutcomes.AmountMismatch, donation.Id);
        }

        donation.StripeChargeId ??= charge.Id;
        donation.StripePaymentIntentId ??= charge.PaymentIntentId;
        if (charge.Paid && charge.Status == "succeeded")
        {
            await ConfirmPaidAsync(donation, charge.Id, occurredAt, cancellationToken);
        }

        await PostFeeAsync(donation, facts.Fee, occurredAt, cancellationToken);
        foreach (var refund in (facts.Refunds ?? []).OrderBy(r => r.Created).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            // A failed or cancelled refund gave nothing back; pending ones have already left the balance. A refund
            // posted while pending and listed here as failed is reversed by its own charge.refund.updated, not here.
            if (refund.Status is "failed" or "canceled" || await RefundEndedAsync(refund.Id, cancellationToken))
            {
                continue;
            }

            if (await TakeBackAsync(
                    donation, LedgerEntryKind.Refund, refund.Id, refund.Amount, branch => LedgerKeys.Refund(refund.Id, branch),
                    Instant(refund.Created, occurredAt), cancellationToken))
            {
                var (donationId, refundId) = (donation.Id, refund.Id);
                _afterCommit.Add(() => receipts.RefundRecorded(donationId, refundId));
            }
        }

        return (WebhookOutcomes.Applied, donation.Id);
    }

    private async Task<(string, Guid?)> DisputeAsync(Dispute dispute, Facts facts, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var donation = await FindAndLockAsync(
            Metadata(facts.Charge?.Metadata, dispute.Metadata), null, dispute.PaymentIntentId ?? facts.Charge?.PaymentIntentId,
            dispute.ChargeId, cancellationToken);
        if (donation is null)
        {
            return (WebhookOutcomes.UnknownDonation, null);
        }

        donation.StripeChargeId ??= dispute.ChargeId;

        // Only a charge that was paid can be disputed, so the dispute itself proves the payment.
        await ConfirmPaidAsync(donation, dispute.ChargeId, occurredAt, cancellationToken);

        // Inquiries ("warning_…") withdraw no money; a closed dispute implies its opening, whichever came first.
        if (dispute.Status?.StartsWith("warning_", StringComparison.Ordinal) == true)
        {
            return (WebhookOutcomes.Applied, donation.Id);
        }

        await TakeBackAsync(
            donation, LedgerEntryKind.Chargeback, dispute.Id, dispute.Amount, branch => LedgerKeys.Chargeback(dispute.Id, branch),
            Instant(dispute.Created, occurredAt), cancellationToken);
        foreach (var fee in dispute.BalanceTransactions ?? [])
        {
            await PostFeeAsync(donation, fee, occurredAt, cancellationToken, LedgerEntryKind.ChargebackFee);
        }

        if (dispute.Status == "won")
        {
            var chargedBack = await db.LedgerEntries.AsNoTracking()
                .Where(e => e.DonationId == donation.Id && e.Kind == LedgerEntryKind.Chargeback && e.StripeObjectId == dispute.Id)
                .Select(e => new { e.BranchId, e.AmountPence })
                .ToListAsync(cancellationToken);
            await LedgerWriter.PostAsync(
                db,
                chargedBack.Select(e => new LedgerLine(
                    donation.DisputeId, e.BranchId, LedgerEntryKind.ChargebackReversed, -e.AmountPence,
                    LedgerKeys.ChargebackReversed(dispute.Id, e.BranchId), donation.Id, dispute.Id, occurredAt)),
                cancellationToken);
        }

        return (WebhookOutcomes.Applied, donation.Id);
    }

    /// <summary>
    /// A refund that fails or is cancelled after it was posted gives the money back to the branches, exactly as
    /// it was taken from each. The credit note already issued for it stands, as every issued document does; a
    /// fresh receipt for the restored gift would follow a reversal only if the organisation decides it wants one.
    /// </summary>
    private async Task<(string, Guid?)> RefundUpdatedAsync(Refund refund, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var donation = await FindAndLockAsync(Metadata(refund.Metadata), null, refund.PaymentIntentId, refund.ChargeId, cancellationToken);
        if (donation is null)
        {
            return (WebhookOutcomes.UnknownDonation, null);
        }

        if (refund.Status is not ("failed" or "canceled"))
        {
            return (WebhookOutcomes.Applied, donation.Id);
        }

        var refunded = await db.LedgerEntries.AsNoTracking()
            .Where(e => e.DonationId == donation.Id && e.Kind == LedgerEntryKind.Refund && e.StripeObjectId == refund.Id)
            .Select(e => new { e.BranchId, e.AmountPence })
            .ToListAsync(cancellationToken);
        if (refunded.Count > 0)
        {
            logger.LogWarning(
                "Refund {RefundId} of donation {DonationId} is {Status} ({FailureReason}); giving {Pence}p back to the branches",
                refund.Id, donation.Id, refund.Status, refund.FailureReason, -refunded.Sum(e => e.AmountPence));
        }

        await LedgerWriter.PostAsync(
            db,
            refunded.Select(e => new LedgerLine(
                donation.DisputeId, e.BranchId, LedgerEntryKind.RefundReversed, -e.AmountPence,
                LedgerKeys.RefundReversed(refund.Id, e.BranchId), donation.Id, refund.Id, occurredAt, refund.FailureReason)),
            cancellationToken);

        // Recorded so that a charge.refunded delivered late, still listing this refund as pending, never posts it.
        return (WebhookOutcomes.RefundEnded, donation.Id);
    }

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
        var amountDiffers = amount is { } given && given != donation.ChargedPence;
        var currencyDiffers = !string.IsNullOrEmpty(currency) && !string.Equals(currency, donation.Currency, StringComparison.OrdinalIgnoreCase);
        if (amountDiffers || currencyDiffers)
        {
            logger.LogWarning(
                "Stripe {StripeObjectId} is for {Amount} {Currency} but donation {DonationId} charged {Charged} {DonationCurrency}; nothing posted",
                stripeObjectId, amount, currency, donation.Id, donation.ChargedPence, donation.Currency);
        }

        return amountDiffers || currencyDiffers;
    }

    private async Task ConfirmPaidAsync(Donation donation, string? stripeObjectId, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        if (donation.Status != DonationStatus.Paid)
        {
            donation.Status = DonationStatus.Paid;
            donation.PaidAt ??= occurredAt;
            var donationId = donation.Id;
            _afterCommit.Add(() => receipts.DonationConfirmed(donationId));
        }

        await LedgerWriter.PostAsync(
            db,
            donation.Allocations.Select(a => new LedgerLine(
                donation.DisputeId, a.BranchId, LedgerEntryKind.DonationReceived, a.AmountPence,
                LedgerKeys.Received(donation.Id, a.BranchId), donation.Id, stripeObjectId, occurredAt)),
            cancellationToken);
    }

    /// <summary>
    /// Posts a refund or chargeback once per Stripe object, split by what each branch still holds of the
    /// donation, so that no branch ever gives back more than it received.
    /// </summary>
    /// <returns>Whether entries were posted; false when this Stripe object had been posted before.</returns>
    private async Task<bool> TakeBackAsync(
        Donation donation, LedgerEntryKind kind, string stripeObjectId, long amount, Func<Guid, string> key,
        DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        if (await db.LedgerEntries.AnyAsync(
                e => e.DonationId == donation.Id && e.Kind == kind && e.StripeObjectId == stripeObjectId, cancellationToken))
        {
            return false;
        }

        var takenBack = await db.LedgerEntries
            .Where(e => e.DonationId == donation.Id
                && (e.Kind == LedgerEntryKind.Refund || e.Kind == LedgerEntryKind.RefundReversed
                    || e.Kind == LedgerEntryKind.Chargeback || e.Kind == LedgerEntryKind.ChargebackReversed))
            .GroupBy(e => e.BranchId)
            .Select(g => new { BranchId = g.Key, Pence = g.Sum(e => e.AmountPence) })
            .ToDictionaryAsync(g => g.BranchId, g => g.Pence, cancellationToken);
        var holdings = donation.Allocations.Select(a => (a.BranchId, a.AmountPence + takenBack.GetValueOrDefault(a.BranchId))).ToArray();
        var held = holdings.Sum(h => h.Item2);
        if (amount > held)
        {
            logger.LogWarning(
                "{Kind} {StripeObjectId} of {Amount}p exceeds the {Held}p donation {DonationId} still holds; posting {Held}p",
                kind, stripeObjectId, amount, held, donation.Id, held);
            amount = held;
        }

        await LedgerWriter.PostAsync(
            db,
            BranchSplit.Within(amount, holdings).Select(part => new LedgerLine(
                donation.DisputeId, part.BranchId, kind, -part.Pence, key(part.BranchId), donation.Id, stripeObjectId, occurredAt)),
            cancellationToken);
        return true;
    }

    /// <summary>Stripe's fee, split by the donation's allocation and keyed by its balance transaction.</summary>
    private async Task PostFeeAsync(
        Donation donation, BalanceTransaction? transaction, DateTimeOffset occurredAt, CancellationToken cancellationToken,
        LedgerEntryKind kind = LedgerEntryKind.ProcessingFee)
    {
        if (transaction is null || transaction.Fee == 0 || string.IsNullOrEmpty(transaction.Id))
        {
            return;
        }

        var sign = transaction.Fee > 0 ? -1 : 1;
        var note = $"Stripe fee {Money.Pence(transaction.Fee).Format()}, net {Money.Pence(transaction.Net).Format()}";
        await LedgerWriter.PostAsync(
            db,
            BranchSplit.ByAllocation(Math.Abs(transaction.Fee), donation.Allocations.Select(a => (a.BranchId, a.AmountPence)).ToArray())
                .Select(part => new LedgerLine(
                    donation.DisputeId, part.BranchId, kind, sign * part.Pence, LedgerKeys.Fee(transaction.Id, part.BranchId),
                    donation.Id, transaction.Id, occurredAt, note)),
            cancellationToken);
    }

    private async Task<Donation?> FindAndLockAsync(
        Guid? donationId, string? sessionId, string? paymentIntentId, string? chargeId, CancellationToken cancellationToken, bool lockBranches = true)
    {
        var id = await FindDonationIdAsync(donationId, sessionId, paymentIntentId, chargeId, cancellationToken);
        if (id is null)
        {
            return null;
        }

        await db.Database.ExecuteSqlInterpolatedAsync($"""SELECT 1 FROM "Donations" WHERE "Id" = {id} FOR UPDATE""", cancellationToken);
        var donation = await db.Donations.Include(d => d.Allocations).SingleAsync(d => d.Id == id, cancellationToken);
        if (lockBranches)
        {
            // The lock a remittance payment takes on its branch: refunds, chargebacks and fees wait for a payment in
            // progress, and a payment reads the balance after them, so a payment of the whole balance can never cross
            // one and leave the branch owing. Taken before anything is posted, because each entry share-locks its
            // branch through the foreign key and two events each holding that share could not both upgrade it; and in
            // one order, by id, after the donation's, so events about overlapping branches cannot deadlock.
            var branchIds = donation.Allocations.Select(a => a.BranchId).Distinct().ToArray();
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""SELECT 1 FROM "Branches" WHERE "Id" = ANY({branchIds}) ORDER BY "Id" FOR UPDATE""", cancellationToken);
        }

        return donation;
    }

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
