namespace Solidarity.Core.Messages;

public enum ModerationStatus
{
    Pending,
    Approved,
    Rejected,
}

/// <summary>A message of support to the workers in a dispute, shown only once a moderator approves it.</summary>
public sealed class SupportMessage
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DisputeId { get; set; }
    public Guid? DonationId { get; set; }

    /// <summary>The name the author chose to show; null means "Anonymous".</summary>
    public string? AuthorName { get; set; }
    public string? OrganisationName { get; set; }
    public string? Town { get; set; }

    /// <summary>Plain text as typed; always shown escaped.</summary>
    public required string Body { get; set; }
    public ModerationStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
