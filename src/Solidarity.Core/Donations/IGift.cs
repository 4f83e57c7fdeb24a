namespace Solidarity.Core.Donations;

/// <summary>
/// What a one-off <see cref="Donation"/> and a <see cref="MonthlyGift"/> both record about a gift and its giver, so that
/// the donate form fills in either the same way and starts its Checkout session the same way.
/// </summary>
public interface IGift
{
    Guid Id { get; }
    Guid DisputeId { get; set; }
    Guid? ChosenBranchId { get; set; }
    long AmountPence { get; set; }
    long FeeCoverPence { get; set; }
    string? PublicName { get; set; }
    string? OrganisationName { get; set; }
    bool ShowAmountPublicly { get; set; }
    string? DonorName { get; set; }
    string? Email { get; set; }
    string? DonorKey { get; set; }
    DateTimeOffset? PrivacyConsentAt { get; set; }
    DateTimeOffset CreatedAt { get; set; }
    string? StripeCheckoutSessionId { get; set; }
}
