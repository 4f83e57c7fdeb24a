using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Solidarity.Web.Infrastructure.Email;

internal sealed class SmtpSettings
{
    public const string Section = "Smtp";

    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? User { get; set; }
    public string? Password { get; set; }

    /// <summary>"Solidarity receipts &lt;receipts@example.org&gt;".</summary>
    public string From { get; set; } = "Solidarity <receipts@localhost>";

    /// <summary>Auto: TLS on port 465, STARTTLS where the server offers it elsewhere.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;

    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// The SHA-256 fingerprint (hex) of a mail relay's own certificate, for a relay on the organisation's network whose
    /// certificate no public authority signed: that certificate, and only it, is then trusted for STARTTLS or TLS.
    /// </summary>
    public string? ServerCertificateSha256 { get; set; }

    /// <summary>
    /// Set in Production: receipts carry donors' names and addresses, so "Auto" must not fall back to plain text
    /// when a server (or someone in the middle) does not offer STARTTLS.
    /// </summary>
    public bool RequireEncryption { get; set; }

    public SecureSocketOptions EffectiveSecurity => Security == SecureSocketOptions.Auto && RequireEncryption
        ? Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls
        : Security;

    /// <summary>Where messages are written as .eml files instead of being sent (Development without a mail server).</summary>
    public string? PickupDirectory { get; set; }

    public MailboxAddress FromAddress => MailboxAddress.Parse(From);

    /// <summary>
    /// A message from <see cref="From"/> whose Message-ID is <paramref name="stableId"/> at the sender's domain: the same
    /// for every attempt, so a duplicate after a crash is recognisable as one message.
    /// </summary>
    public MimeMessage Message(string stableId, string subject)
    {
        var from = FromAddress;
        var message = new MimeMessage
        {
            MessageId = $"{stableId}@{(from.Domain is { Length: > 0 } domain ? domain : "localhost")}",
            Subject = subject,
        };
        message.From.Add(from);
        return message;
    }
}

/// <summary>Hands a message to the mail system; throws when it could not, so the calling job is retried.</summary>
internal interface IEmailSender
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

internal sealed class SmtpEmailSender(IOptions<SmtpSettings> options, ILogger<SmtpEmailSender> logger) : IEmailSender
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var client = new SmtpClient { Timeout = settings.TimeoutSeconds * 1000 };
        if (settings.ServerCertificateSha256 is { Length: > 0 } pinned)
        {
            var fingerprint = pinned.Replace(":", "", StringComparison.Ordinal).Trim();
            client.ServerCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == System.Net.Security.SslPolicyErrors.None
                || (certificate is not null
                    && string.Equals(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(certificate.GetRawCertData())), fingerprint, StringComparison.OrdinalIgnoreCase));
        }

        await client.ConnectAsync(settings.Host ?? "localhost", settings.Port, settings.EffectiveSecurity, cancellationToken);
        if (!string.IsNullOrEmpty(settings.User))
        {
            await client.AuthenticateAsync(settings.User, settings.Password ?? "", cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
        logger.LogInformation("Email {MessageId} sent through {Host}:{Port}", message.MessageId, settings.Host, settings.Port);
    }
}

/// <summary>Writes each message as an .eml file, for Development without a mail server.</summary>
internal sealed class PickupFolderEmailSender(string directory, ILogger<PickupFolderEmailSender> logger) : IEmailSender
{
    public string Directory { get; } = directory;

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var safeId = string.Concat((message.MessageId ?? Guid.NewGuid().ToString("N")).Select(c => char.IsLetterOrDigit(c) || c is '-' or '.' ? c : '_'));
        var path = Path.Combine(Directory, $"{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}-{safeId}.eml");
        await message.WriteToAsync(path, cancellationToken);
        logger.LogInformation("Email {MessageId} written to {Path}", message.MessageId, path);
    }
}

/// <summary>Outside Development a site without a mail server keeps receipts downloadable and retries the emails.</summary>
internal sealed class UnconfiguredEmailSender : IEmailSender
{
    public Task SendAsync(MimeMessage message, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("Smtp:Host is not set: the email cannot be sent. Set Smtp__Host (and Smtp__Port, Smtp__From).");
}
