namespace Solidarity.Web.Pages.Ledger;

/// <summary>An entry about to be posted; <see cref="Key"/> names its cause so it can post only once.</summary>
internal sealed record LedgerLine(
    Guid DisputeId,
    Guid BranchId,
    LedgerEntryKind Kind,
    long AmountPence,
    string Key,
    Guid? DonationId,
    string? StripeObjectId,
    DateTimeOffset OccurredAt,
    string? Note = null);

/// <summary>The keys of ledger entries: one per cause and branch, so a retry finds its entry already there.</summary>
internal static class LedgerKeys
{
    public static string Received(Guid donationId, Guid branchId) => $"donation:{donationId}:received:{branchId}";

    public static string Offline(Guid donationId, Guid branchId) => $"donation:{donationId}:offline:{branchId}";

    public static string OfflineReversed(Guid donationId, Guid branchId) => $"donation:{donationId}:offline-reversed:{branchId}";

    public static string Fee(string balanceTransactionId, Guid branchId) => $"fee:{balanceTransactionId}:{branchId}";

    public static string Refund(string refundId, Guid branchId) => $"refund:{refundId}:{branchId}";

    public static string RefundReversed(string refundId, Guid branchId) => $"refund:{refundId}:reversed:{branchId}";

    public static string Chargeback(string disputeId, Guid branchId) => $"chargeback:{disputeId}:{branchId}";

    public static string ChargebackReversed(string disputeId, Guid branchId) => $"chargeback:{disputeId}:reversed:{branchId}";

    public static string Remittance(Guid paymentId, Guid disputeId) => $"remittance:{paymentId}:{disputeId}";
}
