namespace Solidarity.Web.Pages.Receipts;

/// <summary>
/// The safety net behind "every confirmed donation gets a receipt": receipts are enqueued right after the
/// webhook or the admin's record commits, and a process that dies in between would lose that enqueue.
/// This finds paid donations without a receipt, refunds without a credit note (unless the refund failed), and
/// reversed offline money whose receipt has no credit note, and enqueues them again; the jobs themselves issue
/// each document once, so enqueuing twice is harmless. Donations imported with no receipt owed
/// (<see cref="Donation.ReceiptNotOwed"/>) are not missing one, and are left alone.
/// <para>
/// It also sends again the email of a receipt or credit note that has not gone and has not been tried for
/// <see cref="ResendAfter"/>: a mail server down for longer than the jobs' retries (about 20 hours) leaves the email's job
/// failed, and the email owed. The delivery row sends it once however many jobs ask.
/// </para>
/// </summary>
internal sealed class IssueMissingReceiptsJob(SolidarityDbContext db, ReceiptScheduler scheduler, TimeProvider time, ILogger<IssueMissingReceiptsJob> logger)
{
    public const string RecurringJobId = "issue-missing-receipts";

    /// <summary>Leaves the usual path time to do its work first.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);
    private const int BatchSize = 500;

    /// <summary>Twice the longest wait between a job's retries: an email not tried for this long has no retry to come.</summary>
    public static readonly TimeSpan ResendAfter = TimeSpan.FromHours(12);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - Grace;
        var donations = await db.Donations.AsNoTracking()
            .Where(d => d.Status == DonationStatus.Paid && d.PaidAt < before && !d.ReceiptNotOwed)
            .Where(d => !db.Receipts.Any(r => r.DonationId == d.Id && r.Kind == ReceiptKind.Receipt))
            .OrderBy(d => d.PaidAt)
            .Select(d => d.Id)
            .Take(BatchSize)
            .ToListAsync(cancellationToken);
        var refunds = await db.LedgerEntries.AsNoTracking()
            .Where(e => (e.Kind == LedgerEntryKind.Refund || e.Kind == LedgerEntryKind.RefundReversed) && e.DonationId != null && e.StripeObjectId != null)
            .GroupBy(e => new { DonationId = e.DonationId!.Value, RefundId = e.StripeObjectId! })

            // A refund that failed is netted to zero by its reversing entries: no credit note is owed for it.
            .Where(g => g.Sum(e => e.AmountPence) != 0 && g.Min(e => e.RecordedAt) < before)
            .Select(g => g.Key)
            .Where(k => !db.Receipts.Any(r => r.Kind == ReceiptKind.CreditNote && r.RefundKey == k.RefundId))
            .Where(k => !db.Donations.Any(d => d.Id == k.DonationId && d.ReceiptNotOwed))
            .OrderBy(k => k.RefundId)
            .Take(BatchSize)
            .ToListAsync(cancellationToken);
        var reversals = await db.Donations.AsNoTracking()
            .Where(d => d.Status == DonationStatus.Reversed)
            .Where(d => db.LedgerEntries.Any(e => e.DonationId == d.Id && e.Kind == LedgerEntryKind.OfflineDonationReversed && e.RecordedAt < before))

            // Reversed before its receipt was issued, a donation never gets one, and no credit note is owed.
            .Where(d => db.Receipts.Any(r => r.DonationId == d.Id && r.Kind == ReceiptKind.Receipt))
            .Where(d => !db.Receipts.Any(r => r.DonationId == d.Id && r.Kind == ReceiptKind.CreditNote && r.RefundKey!.StartsWith(CreditNoteKeys.OfflineReversalPrefix)))
            .OrderBy(d => d.Id)
            .Select(d => d.Id)
            .Take(BatchSize)
            .ToListAsync(cancellationToken);

        // Read from the few deliveries still unsent (a partial index holds them), each joined to its document by the key's
        // id: a donor erased since the document was issued has no address, nothing to send, and is passed over here rather
        // than taking a place in the batch at every run.
        var stalled = time.GetUtcNow() - ResendAfter;
        var emails = await db.Database.SqlQuery<Guid>($"""
            SELECT r."Id" AS "Value"
            FROM "EmailDeliveries" AS e
            JOIN "Receipts" AS r ON r."Id" = substring(e."Key" FROM {SendReceiptEmailJob.DeliveryKeyPrefix.Length + 1})::uuid
            JOIN "Donations" AS d ON d."Id" = r."DonationId" AND d."Email" IS NOT NULL
            WHERE e."SentAt" IS NULL AND e."Key" LIKE {SendReceiptEmailJob.DeliveryKeyPrefix + "%"} AND coalesce(e."LastAttemptAt", e."CreatedAt") < {stalled}
            ORDER BY e."CreatedAt"
            LIMIT {BatchSize}
            """).ToListAsync(cancellationToken);

        foreach (var donationId in donations)
        {
            scheduler.DonationConfirmed(donationId);
        }

        foreach (var refund in refunds)
        {
            scheduler.RefundRecorded(refund.DonationId, refund.RefundId);
        }

        foreach (var donationId in reversals)
        {
            scheduler.OfflineReversed(donationId);
        }

        foreach (var receiptId in emails)
        {
            scheduler.EmailReceipt(receiptId);
        }

        var creditNotes = refunds.Count + reversals.Count;
        if (donations.Count + creditNotes + emails.Count > 0)
        {
            logger.LogWarning(
                "Enqueued {Receipts} missing receipts, {CreditNotes} missing credit notes and {Emails} emails of documents still unsent",
                donations.Count, creditNotes, emails.Count);
        }
    }
}
