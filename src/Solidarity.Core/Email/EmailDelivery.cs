namespace Solidarity.Core.Email;

/// <summary>
/// One email the site means to send, keyed by its cause ("receipt:{id}", "digest:{id}", "password-reset:{id}"), so that a retried or
/// duplicated job sends it once. <see cref="SentAt"/> is set only after the mail server accepted it.
/// </summary>
public sealed class EmailDelivery
{
    public required string Key { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public string? MessageId { get; set; }
}
