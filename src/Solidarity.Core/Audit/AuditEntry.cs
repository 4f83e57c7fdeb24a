namespace Solidarity.Core.Audit;

/// <summary>One admin change: who did what to which thing, and when. Rows are never changed.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid? UserId { get; set; }
    public required string UserName { get; set; }

    /// <summary>What was done, e.g. "dispute.created", "dispute.published".</summary>
    public required string Action { get; set; }
    public required string SubjectType { get; set; }
    public required string SubjectId { get; set; }

    /// <summary>A JSON summary of the change.</summary>
    public string? Details { get; set; }
}
