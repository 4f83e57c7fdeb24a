namespace Solidarity.Core.Donations;

public enum DonationMethod
{
    Card,
    Cheque,
    BankTransfer,
    Collection,
}

public enum DonationStatus
{
    /// <summary>Created; the supporter has been sent to Checkout (or payments were unavailable).</summary>
    Pending,

    /// <summary>Checkout completed with a payment method that settles later (e.g. Bacs); not yet money.</summary>
    AwaitingPayment,

    /// <summary>A verified webhook (or an admin, for offline money) confirmed the money.</summary>
    Paid,
    Failed,
    Expired,

    /// <summary>Offline money recorded in error and cancelled by a reversing ledger entry.</summary>
    Reversed,
}

/// <summary>
/// One gift, by card or offline. The row records who gave and how the payment stands; the money
/// itself lives only in <see cref="Ledger.LedgerEntry"/> rows, which this row never duplicates.
/// </summary>
public sealed class Donation : Gift
{
    public DonationMethod Method { get; set; }
    public DonationStatus Status { get; set; }

    /// <summary>When the money was confirmed (webhook) or received (offline).</summary>
    public DateTimeOffset? PaidAt { get; set; }

    public string? StripePaymentIntentId { get; set; }
    public string? StripeChargeId { get; set; }

    /// <summary>The monthly gift whose payment this is; null for a one-off gift.</summary>
    public Guid? MonthlyGiftId { get; set; }

    /// <summary>The Stripe invoice (in_…) a monthly payment paid: unique, so each invoice becomes one donation.</summary>
    public string? StripeInvoiceId { get; set; }

    /// <summary>Offline money: cheque number, bank reference, "picket line collection, Burton gate".</summary>
    public string? Reference { get; set; }
    public Guid? RecordedByUserId { get; set; }

    /// <summary>
    /// Why an admin reversed this offline gift ("bounced: J. Bloggs's account closed"). It can name the payer, their bank
    /// or their account, so it is kept here, which an erasure clears, and never in the ledger or the audit log.
    /// </summary>
    public string? ReversalReason { get; set; }

    /// <summary>The longest <see cref="ReversalReason"/> an admin may give.</summary>
    public const int ReversalReasonMaxLength = 400;

    /// <summary>
    /// When the donor's personal data was erased at their request: names and email gone, the money and its
    /// ledger entries kept. Null while the data is held.
    /// </summary>
    public DateTimeOffset? ErasedAt { get; set; }

    /// <summary>Whether the gift counts its donor as a supporter now: money came in and was not all refunded or charged back.</summary>
    public bool CountsAsSupporter { get; set; }

    /// <summary>
    /// Whether the site owes no receipt for this gift: set on donations brought in by bulk import (the volume seed of a
    /// development database), never by the site's own paths, so the safety net that issues missing receipts leaves
    /// them alone instead of rendering and mailing a PDF for each.
    /// </summary>
    public bool ReceiptNotOwed { get; set; }

    public List<DonationAllocation> Allocations { get; set; } = [];
}

/// <summary>
/// How one donation is divided between branches, fixed when it is made so that later changes to a
/// dispute's shares never move money already given. The parts add up to the charged amount.
/// </summary>
public sealed class DonationAllocation
{
    public Guid DonationId { get; set; }
    public Guid BranchId { get; set; }
    public long AmountPence { get; set; }
}
