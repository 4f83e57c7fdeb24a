namespace Solidarity.Core.Disputes;

public sealed class Union
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public string? Website { get; set; }
}
