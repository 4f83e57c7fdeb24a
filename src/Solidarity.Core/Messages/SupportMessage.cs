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
    public const int MaxBodyLength = 2_000;
    public const int MaxAuthorNameLength = 100;
    public const int MaxOrganisationNameLength = 200;
    public const int MaxTownLength = 100;
    public const int MaxRejectionReasonLength = 500;

    /// <summary>
    /// A rejected message's reason once its text is removed (by an erasure or after the retention period): a reason can
    /// quote the text or name its author, so it goes with them; that the message was rejected, and by whom, stays.
    /// </summary>
    public const string ReasonRemoved = "Removed with the message's text.";

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DisputeId { get; set; }
    public Guid? DonationId { get; set; }

    /// <summary>The monthly gift the message came with, when it was written on the donate form choosing to give monthly.</summary>
    public Guid? MonthlyGiftId { get; set; }

    /// <summary>The name the author chose to show; null means "Anonymous".</summary>
    public string? AuthorName { get; set; }
    public string? OrganisationName { get; set; }
    public string? Town { get; set; }

    /// <summary>Plain text as typed; always shown escaped.</summary>
    public required string Body { get; set; }
    public ModerationStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// The moderator's account when the decision was made. Not a foreign key: the record of who decided
    /// outlives the account, and <see cref="ModeratedByName"/> keeps the name it had.
    /// </summary>
    public Guid? ModeratedByUserId { get; set; }
    public string? ModeratedByName { get; set; }
    public DateTimeOffset? ModeratedAt { get; set; }

    /// <summary>
    /// Why a message was rejected; seen by moderators only, never by the author or the public, and kept here only (not in
    /// the audit log), so that it can go with the text (<see cref="ReasonRemoved"/>).
    /// </summary>
    public string? RejectionReason { get; set; }
}
