namespace Solidarity.Core.Throttling;

/// <summary>
/// Which client started a card donation's checkout, as the keyed hash the throttles use (never the address), so that
/// a payment Stripe declines later can be counted against that client. Purged a day after it was written.
/// </summary>
public sealed class CheckoutClient
{
    public Guid DonationId { get; set; }
    public required string ClientSubject { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
