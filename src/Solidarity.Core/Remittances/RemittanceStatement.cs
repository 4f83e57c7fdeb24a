namespace Solidarity.Core.Remittances;

/// <summary>
/// What a branch was owed over one period, frozen when the period closed: the ledger entries recorded
/// (<c>RecordedAt</c>) in [<see cref="PeriodStart"/>, <see cref="PeriodEnd"/>), summed by kind. The closing
/// balance is the opening balance plus every entry of the period, and the next statement opens with it.
/// One statement per branch and period end, so producing statements again changes nothing.
/// </summary>
public sealed class RemittanceStatement
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid BranchId { get; set; }
    public DateTimeOffset PeriodStart { get; set; }
    public DateTimeOffset PeriodEnd { get; set; }
    public string Currency { get; set; } = Money.Gbp;

    public long OpeningPence { get; set; }

    /// <summary>Card donations as received, before Stripe's fees.</summary>
    public long CardDonationsPence { get; set; }

    /// <summary>Stripe's processing and dispute fees (negative or zero).</summary>
    public long FeesPence { get; set; }
    public long RefundsPence { get; set; }
    public long ChargebacksPence { get; set; }

    /// <summary>Chargebacks won back (positive or zero).</summary>
    public long ChargebackReversalsPence { get; set; }

    /// <summary>Cheques, bank transfers and collections, less offline entries reversed as mistakes.</summary>
    public long OfflinePence { get; set; }

    /// <summary>Money paid to the branch during the period (negative or zero).</summary>
    public long RemittancesPence { get; set; }
    public long ClosingPence { get; set; }

    /// <summary>How many donations the statement lists.</summary>
    public int DonationCount { get; set; }

    /// <summary>How many ledger entries the period holds, for checking the statement against the ledger later.</summary>
    public int EntryCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ApprovedAt { get; set; }
    public Guid? ApprovedByUserId { get; set; }
    public string? ApprovedByName { get; set; }

    public long MovementPence =>
        CardDonationsPence + FeesPence + RefundsPence + ChargebacksPence + ChargebackReversalsPence + OfflinePence + RemittancesPence;
}
