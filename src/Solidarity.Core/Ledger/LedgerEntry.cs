namespace Solidarity.Core.Ledger;

public enum LedgerEntryKind
{
    DonationReceived,
    ProcessingFee,
    Refund,

    /// <summary>A refund posted while pending that Stripe then failed or cancelled: the money is the branch's again.</summary>
    RefundReversed,
    Chargeback,
    ChargebackReversed,
    ChargebackFee,
    OfflineDonation,
    OfflineDonationReversed,
    Remittance,
}

/// <summary>
/// One movement of money owed to a branch, in signed pence: positive adds to what the branch is owed.
/// Entries are never changed or deleted (the database refuses); a mistake is corrected by a reversing
/// entry. <see cref="Key"/> names the cause, and is unique, so the same cause can never post twice.
/// </summary>
public sealed class LedgerEntry
{
    public long Id { get; set; }
    public Guid DisputeId { get; set; }
    public Guid BranchId { get; set; }
    public LedgerEntryKind Kind { get; set; }
    public long AmountPence { get; set; }
    public string Currency { get; set; } = Money.Gbp;

    /// <summary>e.g. "donation:{id}:received:{branch}", "refund:{re_…}:{branch}".</summary>
    public required string Key { get; set; }
    public Guid? DonationId { get; set; }

    /// <summary>The Stripe object behind the entry (charge, refund, dispute, balance transaction), if any.</summary>
    public string? StripeObjectId { get; set; }

    /// <summary>When the movement happened; <see cref="RecordedAt"/> is when the site learnt of it.</summary>
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public string? Note { get; set; }
}

/// <summary>
/// The running sum of every ledger entry of one kind posted to one branch for one dispute. The database keeps it in
/// step: a statement trigger on LedgerEntries adds each statement's new entries to it in the same transaction, so
/// pages read a dispute's money from a few rows instead of summing every entry. One row per dispute, branch and
/// kind, updated under the branch lock every posting already holds, so payments to different branches never queue
/// behind one another. <c>CheckLedgerTotalsJob</c> recomputes the sums from the entries and reports any difference.
/// </summary>
public sealed class LedgerTotal
{
    public Guid DisputeId { get; set; }
    public Guid BranchId { get; set; }
    public LedgerEntryKind Kind { get; set; }
    public long AmountPence { get; set; }
    public long EntryCount { get; set; }
}

/// <summary>
/// How many of one donor's gifts to a dispute count now (<see cref="Donations.Donation.CountsAsSupporter"/>): the donor
/// is a supporter of the dispute while this is above zero.
/// </summary>
public sealed class DisputeSupporter
{
    public Guid DisputeId { get; set; }
    public required string DonorKey { get; set; }
    public int CountingGifts { get; set; }
}

/// <summary>
/// A dispute's supporters, kept as one running count per beneficiary branch so that no single row serialises a
/// dispute's payments: a donor who starts or stops counting moves the row of the branch of the gift that made the
/// change, under the branch lock that posting already holds. A branch's row alone means nothing (a donor may arrive
/// through one branch and leave through another); their sum is the dispute's number of supporters.
/// </summary>
public sealed class SupporterTotal
{
    public Guid DisputeId { get; set; }
    public Guid BranchId { get; set; }
    public long Supporters { get; set; }
}
