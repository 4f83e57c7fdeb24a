namespace Solidarity.Core.Messages;

/// <summary>
/// One day's email to a branch contact with the messages approved for its disputes in (Since, Until].
/// At most one per branch per London day; the next digest starts where this one's window ended.
/// </summary>
public sealed class BranchDigest
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid BranchId { get; set; }

    /// <summary>The London calendar day the digest belongs to.</summary>
    public DateOnly Date { get; set; }

    /// <summary>The end of the previous digest's window; null for a branch's first digest.</summary>
    public DateTimeOffset? Since { get; set; }
    public DateTimeOffset Until { get; set; }
    public int MessageCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
