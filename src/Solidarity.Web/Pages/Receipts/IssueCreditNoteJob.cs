namespace Solidarity.Web.Pages.Receipts;

/// <summary>
/// Gives money taken back from a receipted gift its credit note: a Stripe refund, or offline money reversed (a cheque
/// returned unpaid). The amount comes from the ledger, the number from the credit-note sequence, and the note refers to
/// the original receipt, which is left as it was. One per refund, and one per reversal. None for a refund that failed
/// before its note was issued (a note issued before the failure stands: documents are never withdrawn), and none for
/// offline money reversed before its receipt was issued.
/// </summary>
internal sealed class IssueCreditNoteJob(
    SolidarityDbContext db,
    ReceiptFactsQuery factsQuery,
    CreditNoteQuery credits,
    ReceiptNumbers numbers,
    ReceiptDocument document,
    ReceiptScheduler scheduler,
    IOptions<ReceiptSettings> options,
    TimeProvider time,
    ILogger<IssueCreditNoteJob> logger)
{
    /// <param name="creditKey">
    /// Stripe's refund id (re_…), the StripeObjectId of the refund's ledger entries; or <see cref="CreditNoteKeys.OfflineReversal"/>.
    /// </param>
    public async Task RunAsync(Guid donationId, string creditKey, CancellationToken cancellationToken)
    {
        var creditNoteId = await FindAsync(creditKey, cancellationToken) ?? await IssueAsync(donationId, creditKey, cancellationToken);
        if (creditNoteId is null)
        {
            return;
        }

        var key = SendReceiptEmailJob.DeliveryKey(creditNoteId.Value);
        if (await db.EmailDeliveries.AnyAsync(d => d.Key == key && d.SentAt == null, cancellationToken))
        {
            scheduler.EmailReceipt(creditNoteId.Value);
        }
    }

    private Task<Guid?> FindAsync(string creditKey, CancellationToken cancellationToken) =>
        db.Receipts.Where(r => r.RefundKey == creditKey).Select(r => (Guid?)r.Id).SingleOrDefaultAsync(cancellationToken);

    /// <returns>The credit note, issued now or by another run; null when none is owed.</returns>
    private async Task<Guid?> IssueAsync(Guid donationId, string creditKey, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // Held from reading the facts until the note is committed: an erasure of the donor either waits and renders this note
        // again without the name, or goes first and the facts have no name. A refund failing meanwhile waits too: the note
        // issued before it stands.
        if (await LedgerLocks.DonationAsync(db, donationId, cancellationToken, withBranches: false) is null)
        {
            throw new InvalidOperationException($"Donation {donationId} is gone.");
        }

        // Another run may have issued it while this one waited for the lock.
        if (await FindAsync(creditKey, cancellationToken) is { } issued)
        {
            return issued;
        }

        var original = await db.Receipts.AsNoTracking()
            .Where(r => r.DonationId == donationId && r.Kind == ReceiptKind.Receipt)
            .Select(r => new { r.Id, r.Number, r.IssuedAt })
            .SingleOrDefaultAsync(cancellationToken);
        var owed = await credits.LoadAsync(donationId, creditKey, cancellationToken);
        var reversal = CreditNoteKeys.IsOfflineReversal(creditKey);

        if (owed is { Pence: 0 })
        {
            logger.LogInformation("No credit note for {CreditKey} of donation {DonationId}: the money came back (the refund failed)", creditKey, donationId);
            return null;
        }

        // A gift brought in with no receipt owed (an import) never has one, so nothing is to be corrected.
        if (original is null && await db.Donations.AnyAsync(d => d.Id == donationId && d.ReceiptNotOwed, cancellationToken))
        {
            logger.LogInformation("No credit note for {CreditKey}: donation {DonationId} was imported with no receipt owed", creditKey, donationId);
            return null;
        }

        // A reversal is enqueued once it has committed, and a reversed donation is never receipted after: no receipt now means none to correct.
        if (reversal && (original is null || owed is null))
        {
            logger.LogInformation(
                "No credit note for {CreditKey}: donation {DonationId} {Why}", creditKey, donationId,
                original is null ? "was reversed before its receipt was issued" : "has no reversal in the ledger");
            return null;
        }

        // Either may still be on its way (a refund can be reported before the receipt is issued): fail, and be retried.
        if (original is null || owed is null)
        {
            throw new InvalidOperationException(
                $"Credit note for refund {creditKey} of donation {donationId} waits for " +
                (original is null ? "the donation's receipt." : "the refund's ledger entries."));
        }

        var facts = await factsQuery.LoadAsync(donationId, cancellationToken)
            ?? throw new InvalidOperationException($"Donation {donationId} is gone.");
        var issuedAt = time.GetUtcNow();
        // In the series of the year it is issued in, as receipts are (see ReceiptNumbers): a refund on 31 December whose note is
        // issued on 2 January takes a number of the new year, and the note gives both dates.
        var number = await numbers.TakeAsync(options.Value.CreditNoteSeries, issuedAt, cancellationToken);
        var creditNote = new Receipt
        {
            DonationId = donationId,
            Kind = ReceiptKind.CreditNote,
            Number = number,
            RefundKey = creditKey,
            OriginalReceiptId = original.Id,
            AmountPence = owed.Pence,
            Currency = facts.Currency,
            IssuedAt = issuedAt,
            Pdf = document.RenderCreditNote(number, issuedAt, facts, new CreditNoteFacts(creditKey, owed, original.Number, original.IssuedAt)),
        };

        // False: another run issued it first, and rolling back returned our number to the sequence.
        if (!await IssuedDocuments.CommitAsync(db, transaction, creditNote, emailed: facts.Email is not null, cancellationToken))
        {
            return await FindAsync(creditKey, cancellationToken)
                ?? throw new InvalidOperationException($"The credit note for {creditKey} was neither found nor issued.");
        }

        logger.LogInformation("Credit note {Number} issued for {CreditKey} against receipt {Original}", number, creditKey, original.Number);
        return creditNote.Id;
    }
}
