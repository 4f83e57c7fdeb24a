namespace Solidarity.Core.Donations;

/// <summary>
/// What a one-off <see cref="Donation"/> and a <see cref="MonthlyGift"/> both record about a gift and its giver, so that
/// the donate form fills in either the same way and starts its Checkout session the same way.
/// </summary>
public abstract class Gift
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>The dispute the gift goes to; a monthly gift moved after its dispute ended names the new one.</summary>
    public Guid DisputeId { get; set; }

    /// <summary>
    /// The branch the giver chose; null means shared by the dispute's shares (for a monthly gift, the shares at the time
    /// each payment arrives).
    /// </summary>
    public Guid? ChosenBranchId { get; set; }

    /// <summary>The gift in pence (a monthly gift: each month's), before any processing fee the giver chose to cover.</summary>
    public long AmountPence { get; set; }

    /// <summary>The estimated fee the giver added on top; the charge is AmountPence + FeeCoverPence.</summary>
    public long FeeCoverPence { get; set; }
    public string Currency { get; set; } = Money.Gbp;

    /// <summary>What the giver asked to be shown publicly; null means "Anonymous".</summary>
    public string? PublicName { get; set; }

    /// <summary>The organisation giving (a branch, a party, a campaign group), shown under its own name.</summary>
    public string? OrganisationName { get; set; }

    /// <summary>
    /// Whether the giver asked for the amount to be shown beside their public name (or organisation) on the dispute's
    /// supporters page. Off unless ticked, and meaningless for an anonymous gift, whose amount is never listed.
    /// </summary>
    public bool ShowAmountPublicly { get; set; }

    /// <summary>The giver's own name for the receipts. Private: never shown publicly.</summary>
    public string? DonorName { get; set; }

    /// <summary>
    /// For the receipts (and, for a monthly gift, the link to manage it). Private: never shown publicly or to branches.
    /// </summary>
    public string? Email { get; set; }

    /// <summary>When the giver accepted the privacy notice.</summary>
    public DateTimeOffset? PrivacyConsentAt { get; set; }

    /// <summary>
    /// Who gave, for counting supporters as people: a keyed hash of the lower-cased email, or of an organisation's
    /// normalised name, never the email itself. Null for a gift with neither (an offline gift with no email), which
    /// counts once on its own. Erasure replaces it with a random key, so the person goes and the count stays.
    /// </summary>
    public string? DonorKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? StripeCheckoutSessionId { get; set; }

    public long ChargedPence => AmountPence + FeeCoverPence;
}
