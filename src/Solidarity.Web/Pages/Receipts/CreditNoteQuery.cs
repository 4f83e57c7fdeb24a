namespace Solidarity.Web.Pages.Receipts;

/// <summary>Why a credit note is owed: money refunded to the donor, or offline money reversed (a cheque returned unpaid).</summary>
internal enum CreditNoteCause
{
    Refund,
    OfflineReversal,
}

/// <summary>What the ledger says a credit note answers: the pence taken back from the gift, and when.</summary>
internal sealed record CreditOwed(CreditNoteCause Cause, long Pence, DateTimeOffset At);

/// <summary>Reads what a credit note answers from the ledger, for the job that issues it and for its re-rendering after an erasure.</summary>
internal sealed class CreditNoteQuery(SolidarityDbContext db)
{
    /// <param name="key">The credit note's key: a Stripe refund id, or <see cref="CreditNoteKeys.OfflineReversal"/> of the donation.</param>
    /// <returns>
    /// Null while the ledger has no entries for the key. Zero pence when the money came back: a refund that Stripe failed or
    /// cancelled is netted to zero by its <see cref="LedgerEntryKind.RefundReversed"/> entries, under the same refund id.
    /// </returns>
    public async Task<CreditOwed?> LoadAsync(Guid donationId, string key, CancellationToken cancellationToken)
    {
        var cause = CreditNoteKeys.IsOfflineReversal(key) ? CreditNoteCause.OfflineReversal : CreditNoteCause.Refund;
        if (cause is CreditNoteCause.OfflineReversal && key != CreditNoteKeys.OfflineReversal(donationId))
        {
            throw new ArgumentException($"{key} is not the reversal of donation {donationId}.", nameof(key));
        }

        var entries = db.LedgerEntries.AsNoTracking().Where(e => e.DonationId == donationId);
        entries = cause is CreditNoteCause.OfflineReversal
            ? entries.Where(e => e.Kind == LedgerEntryKind.OfflineDonationReversed)
            : entries.Where(e => e.StripeObjectId == key && (e.Kind == LedgerEntryKind.Refund || e.Kind == LedgerEntryKind.RefundReversed));
        var taken = await entries
            .GroupBy(e => e.DonationId)
            .Select(g => new { Pence = -g.Sum(e => e.AmountPence), At = g.Min(e => e.OccurredAt) })
            .SingleOrDefaultAsync(cancellationToken);
        return taken is null ? null : new CreditOwed(cause, Math.Max(taken.Pence, 0), taken.At);
    }
}
