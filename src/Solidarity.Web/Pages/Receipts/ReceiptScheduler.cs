using Hangfire;

namespace Solidarity.Web.Pages.Receipts;

/// <summary>
/// What the rest of the site calls when money is confirmed or refunded. Each call enqueues a job that is
/// safe to run any number of times, so a duplicate webhook may call it again.
/// </summary>
internal sealed class ReceiptScheduler(IBackgroundJobClient jobs)
{
    /// <summary>After a donation became Paid (card webhook or offline money recorded): issue and email its receipt.</summary>
    public string DonationConfirmed(Guid donationId) =>
        jobs.Enqueue<IssueReceiptJob>(job => job.RunAsync(donationId, CancellationToken.None));

    /// <summary>
    /// After many donations became Paid in one transaction (a batch of webhooks): one job issues their receipts in turn,
    /// rather than one job each, so a busy day enqueues a job for many payments.
    /// </summary>
    public string? DonationsConfirmed(IReadOnlyList<Guid> donationIds)
    {
        if (donationIds.Count <= 1)
        {
            return donationIds.Count == 0 ? null : DonationConfirmed(donationIds[0]);
        }

        // A plain local: Hangfire reads it as it is, where an expression (a call such as ToArray) is compiled every time.
        var ids = donationIds.ToArray();
        return jobs.Enqueue<IssueReceiptsJob>(job => job.RunAsync(ids, CancellationToken.None));
    }

    /// <summary>After a refund's ledger entries were posted: issue and email a credit note for it, unless the refund has failed meanwhile.</summary>
    /// <param name="refundKey">Stripe's refund id (re_…), the StripeObjectId of the refund's ledger entries.</param>
    /// <param name="afterJobId">The donation's receipt job, when it was enqueued together: the credit note then waits for it.</param>
    public string RefundRecorded(Guid donationId, string refundKey, string? afterJobId = null) =>
        afterJobId is null
            ? jobs.Enqueue<IssueCreditNoteJob>(job => job.RunAsync(donationId, refundKey, CancellationToken.None))
            : jobs.ContinueJobWith<IssueCreditNoteJob>(afterJobId, job => job.RunAsync(donationId, refundKey, CancellationToken.None));

    /// <summary>After offline money was reversed (a bounced cheque, an entry made in error): a credit note against its receipt.</summary>
    public string OfflineReversed(Guid donationId) => RefundRecorded(donationId, CreditNoteKeys.OfflineReversal(donationId));

    internal string EmailReceipt(Guid receiptId) =>
        jobs.Enqueue<SendReceiptEmailJob>(job => job.RunAsync(receiptId, CancellationToken.None));
}

/// <summary>What a credit note answers to: a Stripe refund (its re_… id), or the reversal of offline money.</summary>
internal static class CreditNoteKeys
{
    /// <summary>Stripe's refund ids start "re_", so no refund can be taken for a reversal.</summary>
    public const string OfflineReversalPrefix = "reversal:";

    public static string OfflineReversal(Guid donationId) => $"{OfflineReversalPrefix}{donationId}";

    public static bool IsOfflineReversal(string key) => key.StartsWith(OfflineReversalPrefix, StringComparison.Ordinal);
}
