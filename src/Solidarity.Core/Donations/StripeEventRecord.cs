namespace Solidarity.Core.Donations;

/// <summary>
/// Every Stripe event the site accepted, once: the event id is the primary key, so a duplicate or
/// concurrent delivery finds its row already there and changes nothing.
/// </summary>
public sealed class StripeEventRecord
{
    public required string EventId { get; set; }
    public required string Type { get; set; }

    /// <summary>The id of the object the event is about (cs_…, ch_…, dp_…).</summary>
    public string? ObjectId { get; set; }
    public Guid? DonationId { get; set; }
    public DateTimeOffset StripeCreatedAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>What the site did: "applied", "ignored", "unknown-donation".</summary>
    public required string Outcome { get; set; }
}
