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
public sealed class Donation : IGift
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DisputeId { get; set; }

    /// <summary>The branch the donor chose; null means shared across the dispute's beneficiaries.</summary>
    public Guid? ChosenBranchId { get; set; }
    public DonationMethod Method { get; set; }
    public DonationStatus Status { get; set; }

    /// <summary>The gift in pence, before any processing fee the donor chose to cover.</summary>
    public long AmountPence { get; set; }

    /// <summary>The estimated fee the donor added on top; the charge is AmountPence + FeeCoverPence.</summary>
    public long FeeCoverPence { get; set; }
    public string Currency { get; set; } = Money.Gbp;

    /// <summary>What the donor asked to be shown publicly; null means "Anonymous".</summary>
    public string? PublicName { get; set; }

    /// <summary>The organisation giving (a branch, a party, a campaign group), shown under its own name.</summary>
    public string? OrganisationName { get; set; }

    /// <summary>
    /// Whether the donor asked for the amount to be shown beside their public name (or organisation) on the dispute's
    /// supporters page. Off unless ticked, and meaningless for an anonymous gift, whose amount is never listed.
    /// </summary>
    public bool ShowAmountPublicly { get; set; }

    /// <summary>The donor's own name for the receipt. Private: never shown publicly.</summary>
    public string? DonorName { get; set; }

    /// <summary>For the receipt. Private: never shown publicly or to branches.</summary>
    public string? Email { get; set; }

    /// <summary>When the donor accepted the privacy notice.</summary>
    public DateTimeOffset? PrivacyConsentAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the money was confirmed (webhook) or received (offline).</summary>
    public DateTimeOffset? PaidAt { get; set; }

    public string? StripeCheckoutSessionId { get; set; }
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
    /// When the donor's personal data was erased at their request: names and email gone, the money and its
    /// ledger entries kept. Null while the data is held.
    /// </summary>
    public DateTimeOffset? ErasedAt { get; set; }

    /// <summary>
    /// Who gave, for counting supporters as people: a keyed hash of the lower-cased email, or of an organisation's
    /// normalised name, never the email itself. Null for a gift with neither (an offline gift with no email), which
    /// counts once on its own. Erasure replaces it with a random key, so the person goes and the count stays.
    /// </summary>
    public string? DonorKey { get; set; }

    /// <summary>Whether the gift counts its donor as a supporter now: money came in and was not all refunded or charged back.</summary>
    public bool CountsAsSupporter { get; set; }

    /// <summary>
    /// Whether the site owes no receipt for this gift: set on donations brought in by bulk import (the volume seed of a
    /// development database), never by the site's own paths, so the safety net that issues missing receipts leaves
    /// them alone instead of rendering and mailing a PDF for each.
    /// </summary>
    public bool ReceiptNotOwed { get; set; }

    public long ChargedPence => AmountPence + FeeCoverPence;

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
