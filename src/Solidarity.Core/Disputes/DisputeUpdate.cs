namespace Solidarity.Core.Disputes;

public enum UpdateStatus
{
    Draft,
    Scheduled,
    Published,
}

/// <summary>News about a dispute, written in Markdown; the public sees it once it is published.</summary>
public sealed class DisputeUpdate
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DisputeId { get; set; }
    public required string Title { get; set; }

    /// <summary>Markdown as the admin typed it; rendered without raw HTML and sanitised wherever it is shown.</summary>
    public required string Body { get; set; }

    /// <summary>Published unless said otherwise, so an update written straight to the page is public at once.</summary>
    public UpdateStatus Status { get; set; } = UpdateStatus.Published;

    /// <summary>When the update became public; null for drafts and scheduled updates.</summary>
    public DateTimeOffset? PublishedAt { get; set; }

    /// <summary>When a scheduled update is due to be published.</summary>
    public DateTimeOffset? ScheduledFor { get; set; }
    public required string AuthorName { get; set; }

    /// <summary>The dispute status this update announced, when it was published together with a status change.</summary>
    public DisputeStatus? AnnouncesStatus { get; set; }

    /// <summary>Set by the database when left unset, as for updates written before drafts existed.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The last time the title or text was changed after it was first saved.</summary>
    public DateTimeOffset? EditedAt { get; set; }

    public List<DisputeUpdateRevision> Revisions { get; set; } = [];

    public uint Version { get; set; }
}

/// <summary>The title and text an update had before one edit, with who edited it and when. Rows are never changed.</summary>
public sealed class DisputeUpdateRevision
{
    public long Id { get; set; }
    public Guid UpdateId { get; set; }
    public required string PreviousTitle { get; set; }
    public required string PreviousBody { get; set; }
    public DateTimeOffset EditedAt { get; set; }
    public Guid? EditedByUserId { get; set; }
    public required string EditedByName { get; set; }
}
