namespace Solidarity.Core.Disputes;

public sealed class DisputeUpdate
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DisputeId { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
    public required string AuthorName { get; set; }
}
