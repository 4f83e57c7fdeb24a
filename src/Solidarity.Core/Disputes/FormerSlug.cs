namespace Solidarity.Core.Disputes;

/// <summary>
/// A web address name a dispute had before an admin changed it. Links already shared (on social media, leaflets, QR
/// codes, feed readers, calendars) keep working: a request for it is sent on to the dispute's address now. No other
/// dispute may take it.
/// </summary>
public sealed class FormerSlug
{
    public required string Slug { get; set; }
    public Guid DisputeId { get; set; }
    public DateTimeOffset RetiredAt { get; set; }
}
