using Npgsql;

namespace Solidarity.Web.Pages.Ledger;

/// <summary>What reversing offline money did, or why it was held back.</summary>
internal abstract record OfflineReversal
{
    internal sealed record Reversed(long Pence) : OfflineReversal;

    internal sealed record AlreadyReversed : OfflineReversal;

    /// <summary>
    /// The branch has already been paid money this reversal takes back: after it, the branch would owe
    /// <paramref name="BalanceAfterPence"/> (negative). Nothing was posted; the admin must confirm.
    /// </summary>
    internal sealed record WouldOverdraw(string BranchCode, long BalanceAfterPence) : OfflineReversal;
}

/// <summary>
/// Every posting to the ledger, made here and only here: a card payment confirmed, its fee, a refund and a
/// refund that failed, a chargeback opened, won or lost, offline money received and reversed, and a remittance
/// paid. Each method takes the locks of <see cref="LedgerLocks"/> as proof that the caller's transaction holds
/// them, and posts entries keyed by their cause (<see cref="LedgerKeys"/>), so a retry or a duplicate delivery
/// finds its entries already there and changes nothing. Callers save their own rows and commit.
/// </summary>
internal sealed class LedgerPostings(SolidarityDbContext db, TimeProvider time, ILogger<LedgerPostings> logger)
{
    /// <summary>A card payment proven by Stripe: the donation's allocation, once, whatever event proved it first.</summary>
    public Task PaymentConfirmedAsync(LockedDonation locked, string? stripeObjectId, DateTimeOffset occurredAt, CancellationToken cancellationToken) =>
        PostAsync(ReceivedLines(locked, stripeObjectId, occurredAt), cancellationToken);

    /// <summary>
    /// Stripe's fee (processing, or a chargeback's), split by the donation's allocation and keyed by its balance
    /// transaction. Posted only once the payment is confirmed: an async payment (Bacs, SEPA) that later fails must
    /// leave nothing on any branch.
    /// </summary>
    public Task FeeAsync(
        LockedDonation locked, StripeFee? fee, DateTimeOffset occurredAt, CancellationToken cancellationToken,
        LedgerEntryKind kind = LedgerEntryKind.ProcessingFee) =>
        PostAsync(FeeLines(locked, fee, occurredAt, kind), cancellationToken);

    /// <summary>
    /// Many card payments confirmed in one transaction, each with its processing fee: the same entries, under the same
    /// keys, as <see cref="PaymentConfirmedAsync"/> and <see cref="FeeAsync"/> would post one by one, in one statement,
    /// sent with the one that first locks <paramref name="branches"/> and with the commit that releases them. Unlike
    /// every other posting, this one ends the caller's transaction: the caller saves its own rows before it.
    /// </summary>
    /// <param name="ahead">The caller's statement on its donations' own rows, sent first in the same round trip.</param>
    public Task PaymentsConfirmedAndCommitAsync(
        BranchesLockedOnPosting branches, IEnumerable<ConfirmedPayment> payments, CancellationToken cancellationToken, NpgsqlBatchCommand? ahead = null) =>
        LedgerWriter.PostLockingBranchesAndCommitAsync(
            db,
            branches.BranchIds,
            payments.SelectMany(p => ReceivedLines(p.Locked, p.StripeObjectId, p.OccurredAt)
                .Concat(FeeLines(p.Locked, p.Fee, p.OccurredAt, LedgerEntryKind.ProcessingFee))),
            cancellationToken,
            ahead);

    private static IEnumerable<LedgerLine> ReceivedLines(LockedDonation locked, string? stripeObjectId, DateTimeOffset occurredAt)
    {
        var donation = locked.Donation;
        return donation.Allocations.Select(a => new LedgerLine(
            donation.DisputeId, a.BranchId, LedgerEntryKind.DonationReceived, a.AmountPence,
            LedgerKeys.Received(donation.Id, a.BranchId), donation.Id, stripeObjectId, occurredAt));
    }

    private static IEnumerable<LedgerLine> FeeLines(LockedDonation locked, StripeFee? fee, DateTimeOffset occurredAt, LedgerEntryKind kind)
    {
        var donation = locked.Donation;
        if (fee is null || fee.Pence == 0 || string.IsNullOrEmpty(fee.BalanceTransactionId) || donation.Status != DonationStatus.Paid)
        {
            return [];
        }

        var sign = fee.Pence > 0 ? -1 : 1;
        var note = $"Stripe fee {Money.Pence(fee.Pence).Format()}, net {Money.Pence(fee.NetPence).Format()}";
        return BranchSplit.ByAllocation(Math.Abs(fee.Pence), donation.Allocations.Select(a => (a.BranchId, a.AmountPence)).ToArray())
            .Select(part => new LedgerLine(
                donation.DisputeId, part.BranchId, kind, sign * part.Pence, LedgerKeys.Fee(fee.BalanceTransactionId, part.BranchId),
                donation.Id, fee.BalanceTransactionId, occurredAt, note));
    }

    /// <returns>Whether the refund was posted now (false when it had been posted before).</returns>
    public Task<bool> RefundAsync(LockedDonation locked, string refundId, long pence, DateTimeOffset occurredAt, CancellationToken cancellationToken) =>
        TakeBackAsync(locked, LedgerEntryKind.Refund, refundId, pence, branch => LedgerKeys.Refund(refundId, branch), occurredAt, cancellationToken);

    /// <summary>
    /// A refund that Stripe failed or cancelled after it was posted: the money goes back to each branch exactly as
    /// it was taken. Nothing happens for a refund that was never posted.
    /// </summary>
    /// <returns>The pence given back now (0 when nothing was posted for the refund, or it was given back before).</returns>
    public async Task<long> RefundFailedAsync(
        LockedDonation locked, string refundId, string? reason, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var donation = locked.Donation;
        var refunded = await EntriesAsync(donation.Id, LedgerEntryKind.Refund, refundId, cancellationToken);
        var posted = await PostAsync(
            refunded.Select(e => new LedgerLine(
                donation.DisputeId, e.BranchId, LedgerEntryKind.RefundReversed, -e.AmountPence,
                LedgerKeys.RefundReversed(refundId, e.BranchId), donation.Id, refundId, occurredAt, reason)),
            cancellationToken);
        return posted == 0 ? 0 : -refunded.Sum(e => e.AmountPence);
    }

    /// <summary>
    /// A chargeback's money leaving the branches: on <c>charge.dispute.created</c>, <c>funds_withdrawn</c> or a closed
    /// dispute, whichever arrives first, under one key per dispute, so it is taken once.
    /// </summary>
    public Task<bool> ChargebackAsync(LockedDonation locked, string disputeId, long pence, DateTimeOffset occurredAt, CancellationToken cancellationToken) =>
        TakeBackAsync(
            locked, LedgerEntryKind.Chargeback, disputeId, pence, branch => LedgerKeys.Chargeback(disputeId, branch), occurredAt, cancellationToken);

    /// <summary>
    /// A chargeback won (or its funds reinstated): what was taken for it goes back to each branch, once. The caller
    /// posts the chargeback first, so a reinstatement delivered before the withdrawal still nets to nothing.
    /// </summary>
    public async Task ChargebackReversedAsync(LockedDonation locked, string disputeId, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var donation = locked.Donation;
        var chargedBack = await EntriesAsync(donation.Id, LedgerEntryKind.Chargeback, disputeId, cancellationToken);
        await PostAsync(
            chargedBack.Select(e => new LedgerLine(
                donation.DisputeId, e.BranchId, LedgerEntryKind.ChargebackReversed, -e.AmountPence,
                LedgerKeys.ChargebackReversed(disputeId, e.BranchId), donation.Id, disputeId, occurredAt)),
            cancellationToken);
    }

    /// <summary>Offline money an admin recorded: the new donation's allocation, dated when the money was received.</summary>
    public Task OfflineReceivedAsync(LockedDonation locked, DateTimeOffset receivedAt, string? note, CancellationToken cancellationToken)
    {
        var donation = locked.Donation;
        return PostAsync(
            donation.Allocations.Select(a => new LedgerLine(
                donation.DisputeId, a.BranchId, LedgerEntryKind.OfflineDonation, a.AmountPence,
                LedgerKeys.Offline(donation.Id, a.BranchId), donation.Id, null, receivedAt, note)),
            cancellationToken);
    }

    /// <summary>
    /// Cancels offline money recorded in error (or a cheque that bounced) with reversing entries. When a branch has
    /// already been paid the money, the reversal would leave it owing: unless <paramref name="allowOverdraw"/>, that
    /// is reported and nothing is posted, so an admin never takes a branch below zero without saying so.
    /// </summary>
    /// <param name="note">The entries' note: what was reversed, never the admin's reason, which may name the payer.</param>
    public async Task<OfflineReversal> OfflineReversedAsync(
        LockedDonation locked, string note, bool allowOverdraw, CancellationToken cancellationToken)
    {
        var donation = locked.Donation;
        if (donation.Status == DonationStatus.Reversed)
        {
            return new OfflineReversal.AlreadyReversed();
        }

        var received = await EntriesAsync(donation.Id, LedgerEntryKind.OfflineDonation, null, cancellationToken);
        if (!allowOverdraw)
        {
            foreach (var branch in received.GroupBy(e => e.BranchId))
            {
                var after = await BalanceAsync(branch.Key, cancellationToken) - branch.Sum(e => e.AmountPence);
                if (after < 0)
                {
                    var code = await db.Branches.Where(b => b.Id == branch.Key).Select(b => b.Code).SingleAsync(cancellationToken);
                    return new OfflineReversal.WouldOverdraw(code, after);
                }
            }
        }

        var now = time.GetUtcNow();
        await PostAsync(
            received.Select(e => new LedgerLine(
                donation.DisputeId, e.BranchId, LedgerEntryKind.OfflineDonationReversed, -e.AmountPence,
                LedgerKeys.OfflineReversed(donation.Id, e.BranchId), donation.Id, null, now, note)),
            cancellationToken);
        donation.Status = DonationStatus.Reversed;
        return new OfflineReversal.Reversed(received.Sum(e => e.AmountPence));
    }

    /// <summary>What a branch is owed now, per dispute: the sum of every entry posted to it.</summary>
    public async Task<IReadOnlyList<(Guid DisputeId, long Pence)>> OwedByDisputeAsync(LockedBranch branch, CancellationToken cancellationToken) =>
        (await db.LedgerTotals
            .Where(e => e.BranchId == branch.BranchId)
            .GroupBy(e => e.DisputeId)
            .Select(g => new { DisputeId = g.Key, Pence = g.Sum(e => e.AmountPence) })
            .OrderBy(g => g.DisputeId)
            .ToListAsync(cancellationToken))
        .Select(g => (g.DisputeId, g.Pence))
        .ToList();

    /// <summary>
    /// A bank transfer to a branch. A branch is paid one sum, but the ledger keeps money per dispute, so the sum is
    /// divided in proportion to what each dispute still owes the branch, and no dispute is paid more than it owes.
    /// The caller has checked the sum against <see cref="OwedByDisputeAsync"/> under the same lock.
    /// </summary>
    public async Task RemittancePaidAsync(
        LockedBranch branch, Guid paymentId, long pence, DateTimeOffset paidAt, string note, CancellationToken cancellationToken)
    {
        var owed = (await OwedByDisputeAsync(branch, cancellationToken)).Select(d => (d.DisputeId, d.Pence)).ToList();
        await PostAsync(
            BranchSplit.Within(pence, owed).Select(part => new LedgerLine(
                part.BranchId, branch.BranchId, LedgerEntryKind.Remittance, -part.Pence, LedgerKeys.Remittance(paymentId, part.BranchId),
                null, null, paidAt, note)),
            cancellationToken);
    }

    /// <summary>
    /// Posts a refund or chargeback once per Stripe object, split by what each branch still holds of the donation,
    /// so that no branch ever gives back more than it received.
    /// </summary>
    private async Task<bool> TakeBackAsync(
        LockedDonation locked, LedgerEntryKind kind, string stripeObjectId, long amount, Func<Guid, string> key,
        DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var donation = locked.Donation;
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

        await PostAsync(
            BranchSplit.Within(amount, holdings).Select(part => new LedgerLine(
                donation.DisputeId, part.BranchId, kind, -part.Pence, key(part.BranchId), donation.Id, stripeObjectId, occurredAt)),
            cancellationToken);
        return true;
    }

    /// <summary>The branch's balance from its running totals, which the branch lock the caller holds keeps still.</summary>
    private async Task<long> BalanceAsync(Guid branchId, CancellationToken cancellationToken) =>
        await db.LedgerTotals.Where(t => t.BranchId == branchId).SumAsync(t => (long?)t.AmountPence, cancellationToken) ?? 0;

    private async Task<List<(Guid BranchId, long AmountPence)>> EntriesAsync(
        Guid donationId, LedgerEntryKind kind, string? stripeObjectId, CancellationToken cancellationToken) =>
        (await db.LedgerEntries.AsNoTracking()
            .Where(e => e.DonationId == donationId && e.Kind == kind && (stripeObjectId == null || e.StripeObjectId == stripeObjectId))
            .Select(e => new { e.BranchId, e.AmountPence })
            .ToListAsync(cancellationToken))
        .Select(e => (e.BranchId, e.AmountPence))
        .ToList();

    private Task<int> PostAsync(IEnumerable<LedgerLine> lines, CancellationToken cancellationToken) =>
        LedgerWriter.PostAsync(db, lines, cancellationToken);
}

/// <summary>Stripe's fee for a charge or a dispute, as its balance transaction reports it.</summary>
internal sealed record StripeFee(string BalanceTransactionId, long Pence, long NetPence);

/// <summary>A card payment to post with <see cref="LedgerPostings.PaymentsConfirmedAndCommitAsync"/>: what proved it, when, and its fee if known.</summary>
internal sealed record ConfirmedPayment(LockedDonation Locked, string? StripeObjectId, DateTimeOffset OccurredAt, StripeFee? Fee);
