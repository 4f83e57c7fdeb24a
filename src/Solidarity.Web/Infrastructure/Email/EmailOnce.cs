using MimeKit;

namespace Solidarity.Web.Infrastructure.Email;

/// <summary>What a job wants sent under a delivery row: a message, or why there is nothing to send.</summary>
internal readonly record struct Outgoing(MimeMessage? Message, string? NothingToSend)
{
    public static Outgoing Send(MimeMessage message) => new(message, null);

    /// <summary>Nothing to send, and nothing to retry (the address was erased, the account disabled).</summary>
    public static Outgoing Nothing(string reason) => new(null, reason);
}

/// <summary>
/// Sends the email a delivery row stands for, once. Every email job goes through here:
/// <list type="number">
/// <item>the row (<c>EmailDeliveries</c>, keyed by the email's cause) is locked, so concurrent or repeated runs queue;</item>
/// <item>a row already sent, or missing, ends the run with nothing sent;</item>
/// <item>the job composes the message inside the same transaction, so what it changes to write the message (a fresh
/// download link's hash) commits with the row marked sent, and the link in the message is the one whose hash was kept;</item>
/// <item>the mail server is spoken to while the lock is held, and the row is marked sent in the same transaction.</item>
/// </list>
/// If the process dies after the server accepted the message but before the commit, the next attempt sends it again: at
/// most one duplicate, with the same Message-Id so mail clients can tell. A failure is counted on the row with the
/// server's words, and the job fails with <see cref="EmailNotSentException"/>, which quotes none of them.
/// </summary>
internal sealed class EmailOnce(SolidarityDbContext db, IEmailSender sender, TimeProvider time)
{
    /// <summary>Answers whether this run sent the email.</summary>
    public async Task<bool> SendAsync(string key, Func<CancellationToken, Task<Outgoing>> compose, CancellationToken cancellationToken)
    {
        try
        {
            return await SendLockedAsync(key, compose, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            db.ChangeTracker.Clear();
            var now = time.GetUtcNow();
            var error = e.Message.Length > 500 ? e.Message[..500] : e.Message;
            await db.EmailDeliveries.Where(d => d.Key == key).ExecuteUpdateAsync(
                d => d.SetProperty(x => x.Attempts, x => x.Attempts + 1).SetProperty(x => x.LastAttemptAt, now).SetProperty(x => x.LastError, error),
                CancellationToken.None);

            // The mail server's answer often quotes the recipient's address. It is kept on the delivery row, which an
            // erasure clears; the jobs' store, which keeps a failed job's exception and which no erasure reaches, is
            // given only what kind of failure it was.
            throw new EmailNotSentException(key, e);
        }
    }

    private async Task<bool> SendLockedAsync(string key, Func<CancellationToken, Task<Outgoing>> compose, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var delivery = (await db.EmailDeliveries
            .FromSql($"""SELECT * FROM "EmailDeliveries" WHERE "Key" = {key} FOR UPDATE""")
            .ToListAsync(cancellationToken)).SingleOrDefault();
        if (delivery is null || delivery.SentAt is not null)
        {
            return false;
        }

        var outgoing = await compose(cancellationToken);
        delivery.Attempts++;
        delivery.LastAttemptAt = time.GetUtcNow();
        if (outgoing.Message is not { } message)
        {
            delivery.LastError = outgoing.NothingToSend;
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return false;
        }

        delivery.MessageId = message.MessageId;
        await sender.SendAsync(message, cancellationToken);

        delivery.SentAt = time.GetUtcNow();
        delivery.LastError = null;
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        return true;
    }
}

/// <summary>
/// An email that could not be sent, saying which delivery and what kind of failure, and nothing the mail server
/// said: its words may quote the recipient's address, and this message is kept by the jobs' store. The words are on the
/// delivery row (EmailDeliveries.LastError), for an admin, until an erasure clears them.
/// </summary>
internal sealed class EmailNotSentException(string deliveryKey, Exception cause)
    : Exception($"Email {deliveryKey} was not sent ({Kind(cause)}); the mail server's answer is on its delivery row.")
{
    private static string Kind(Exception cause) => cause switch
    {
        MailKit.Net.Smtp.SmtpCommandException command => $"SMTP {(int)command.StatusCode} {command.ErrorCode}",
        MailKit.Net.Smtp.SmtpProtocolException => "SMTP protocol error",
        System.Net.Sockets.SocketException socket => $"network: {socket.SocketErrorCode}",
        _ => cause.GetType().Name,
    };
}
