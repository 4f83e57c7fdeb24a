namespace Solidarity.Web.Pages.Receipts;

/// <summary>
/// Gives a paid donation its receipt: number, PDF and row in one transaction, under the donation's lock, then the
/// email. A second run finds the receipt (or loses the race on the unique index, which rolls its number back) and at
/// most enqueues the email again, which is itself sent once.
/// </summary>
internal sealed class IssueReceiptJob(
    SolidarityDbContext db,
    ReceiptFactsQuery factsQuery,
    ReceiptNumbers numbers,
    ReceiptDocument document,
    ReceiptScheduler scheduler,
    IOptions<ReceiptSettings> options,
    TimeProvider time,
    ILogger<IssueReceiptJob> logger)
{
    public async Task RunAsync(Guid donationId, CancellationToken cancellationToken)
    {
        var receiptId = await FindReceiptAsync(donationId, cancellationToken) ?? await IssueAsync(donationId, cancellationToken);
        if (receiptId is not null)
        {
            await EmailIfOwedAsync(receiptId.Value, cancellationToken);
        }
    }

    /// <returns>The receipt, issued now or by another run; null when none is owed.</returns>
    private async Task<Guid?> IssueAsync(Guid donationId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // Held from reading the facts until the receipt is committed. An erasure of the donor takes the same lock, so it
        // either waits for this receipt and renders it again without the name, or goes first and the facts have no name.
        var locked = await LedgerLocks.DonationAsync(db, donationId, cancellationToken, withBranches: false);

        // Another run may have issued it while this one waited for the lock.
        if (locked is not null && await FindReceiptAsync(donationId, cancellationToken) is { } issued)
        {
            return issued;
        }

        var facts = locked is null ? null : await factsQuery.LoadAsync(donationId, cancellationToken);
        if (facts is null || facts.Status is not DonationStatus.Paid)
        {
            logger.LogWarning("No receipt for donation {DonationId}: it is {Status}", donationId, facts?.Status.ToString() ?? "unknown");
            return null;
        }

        var issuedAt = time.GetUtcNow();

        // The year it is issued in, not the year the money came (see ReceiptNumbers): back-dated offline money is numbered in
        // the series still open, and its receipt says when it was received and when recorded.
        var number = await numbers.TakeAsync(options.Value.ReceiptSeries, issuedAt, cancellationToken);
        var receipt = new Receipt
        {
            DonationId = facts.DonationId,
            Kind = ReceiptKind.Receipt,
            Number = number,
            AmountPence = facts.ChargedPence,
            Currency = facts.Currency,
            IssuedAt = issuedAt,
            Pdf = document.RenderReceipt(number, issuedAt, facts),
        };

        // False: another run issued it first, and rolling back returned our number to the sequence.
        if (!await IssuedDocuments.CommitAsync(db, transaction, receipt, emailed: facts.Email is not null, cancellationToken))
        {
            return await FindReceiptAsync(donationId, cancellationToken)
                ?? throw new InvalidOperationException($"The receipt of donation {donationId} was neither found nor issued.");
        }

        logger.LogInformation("Receipt {Number} issued for donation {DonationId}", number, facts.DonationId);
        return receipt.Id;
    }

    private Task<Guid?> FindReceiptAsync(Guid donationId, CancellationToken cancellationToken) =>
        db.Receipts.Where(r => r.DonationId == donationId && r.Kind == ReceiptKind.Receipt)
            .Select(r => (Guid?)r.Id)
            .SingleOrDefaultAsync(cancellationToken);

    /// <summary>Enqueues the email unless it went already, so a run that stopped before enqueueing is made good.</summary>
    private async Task EmailIfOwedAsync(Guid receiptId, CancellationToken cancellationToken)
    {
        var key = SendReceiptEmailJob.DeliveryKey(receiptId);
        var owed = await db.EmailDeliveries.AnyAsync(d => d.Key == key && d.SentAt == null, cancellationToken);
        if (owed)
        {
            scheduler.EmailReceipt(receiptId);
        }
    }
}
