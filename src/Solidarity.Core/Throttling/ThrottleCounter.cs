namespace Solidarity.Core.Throttling;

/// <summary>
/// How many times one subject (a client, an account, an email address: always a keyed hash, never the thing itself)
/// did one thing (<see cref="Scope"/>) in one window of time. Kept in PostgreSQL so that every web process counts the
/// same attempts; rows are purged a day after their window ends.
/// </summary>
public sealed class ThrottleCounter
{
    public required string Scope { get; set; }
    public required string Subject { get; set; }
    public DateTimeOffset WindowStart { get; set; }
    public int Count { get; set; }
    public DateTimeOffset LastAt { get; set; }
}
