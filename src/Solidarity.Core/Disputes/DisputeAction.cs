namespace Solidarity.Core.Disputes;

public enum ActionKind
{
    Strike,
    OvertimeBan,
    WorkToRule,
    Demonstration,
    Other,
}

/// <summary>A strike or other action, from one instant to another (a continuous strike may end at 05:59).</summary>
public sealed class DisputeAction
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DisputeId { get; set; }
    public ActionKind Kind { get; set; }
    public required string Title { get; set; }
    public string? Details { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
}
