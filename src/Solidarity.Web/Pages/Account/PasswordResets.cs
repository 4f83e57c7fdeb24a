using System.Net;
using Hangfire;
using Microsoft.AspNetCore.WebUtilities;
using MimeKit;
using Solidarity.Core.Email;
using Solidarity.Web.Infrastructure.Throttling;

namespace Solidarity.Web.Pages.Account;

/// <summary>
/// Resetting a forgotten password by an emailed link. Asking gets one answer whether or not the address has an account;
/// it is limited per address and per client with the shared PostgreSQL counters; where there is an account (enabled),
/// a job sends the email. The link's token is Identity's, made by the job and kept nowhere: it is tied to the account's
/// security stamp, so it works once (a reset changes the stamp) and stops when the password changes another way, and it
/// lasts <see cref="LinkLifetime"/>. A reset never touches the second factor: an admin still gives a code at sign-in.
/// </summary>
internal sealed class PasswordResets(
    SolidarityDbContext db,
    UserManager<ApplicationUser> users,
    Throttle throttle,
    IBackgroundJobClient jobs,
    AuditTrail audit,
    TimeProvider time)
{
    public const string Scope = "password-reset";
    public const int PerAddressPerHour = 3;
    public const int PerClientPerHour = 10;
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(1);

    public const string ResetPath = "/account/reset-password";

    /// <summary>Answers false when the address or the client has asked too often this hour (nothing is sent then).</summary>
    public async Task<bool> RequestAsync(string email, IPAddress? client, CancellationToken cancellationToken)
    {
        // Both are counted every time, so the limits cannot tell anyone whether the address has an account.
        var byAddress = await throttle.TryTakeAsync(Scope, throttle.TextSubject("account", email), PerAddressPerHour, Window, cancellationToken);
        var byClient = await throttle.TryTakeAsync(Scope, throttle.ClientSubject(client), PerClientPerHour, Window, cancellationToken);
        if (byAddress is not null || byClient is not null)
        {
            return false;
        }

        // An address with an account costs a write and an enqueue more than one without: the answer waits the same either way.
        return await SteadyAnswers.NoSoonerThanFloorAsync(() => SendIfAccountAsync(email, cancellationToken), time, cancellationToken);
    }

    private async Task<bool> SendIfAccountAsync(string email, CancellationToken cancellationToken)
    {
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null || AccountStates.IsDisabled(user, time.GetUtcNow()))
        {
            return true;
        }

        // The delivery row is what makes the job safe to run twice: it sends while the row says nothing was sent.
        var requestId = Guid.CreateVersion7();
        db.EmailDeliveries.Add(new EmailDelivery { Key = SendPasswordResetJob.DeliveryKey(requestId), CreatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
        jobs.Enqueue<SendPasswordResetJob>(job => job.RunAsync(user.Id, requestId, CancellationToken.None));
        return true;
    }

    /// <summary>The account a link is for, if its token still works (not used, not out of date, not disabled).</summary>
    public async Task<ApplicationUser?> FindAsync(string? userId, string? token)
    {
        if (!Guid.TryParse(userId, out _) || Decode(token) is not { } decoded || await users.FindByIdAsync(userId!) is not { } user
            || AccountStates.IsDisabled(user, time.GetUtcNow()))
        {
            return null;
        }

        var purpose = UserManager<ApplicationUser>.ResetPasswordTokenPurpose;
        return await users.VerifyUserTokenAsync(user, users.Options.Tokens.PasswordResetTokenProvider, purpose, decoded) ? user : null;
    }

    /// <summary>Sets the new password under Identity's rules; answers the rules it breaks, or none when it is set.</summary>
    public async Task<IReadOnlyList<string>?> ResetAsync(ApplicationUser user, string token, string password, CancellationToken cancellationToken)
    {
        if (Decode(token) is not { } decoded)
        {
            return null;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await users.ResetPasswordAsync(user, decoded, password);
        if (!result.Succeeded)
        {
            return result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken))
                ? null
                : [.. result.Errors.Select(e => e.Description)];
        }

        audit.RecordAs(user.Id, user.Email ?? user.UserName ?? user.Id.ToString(), AuditActions.PasswordReset, "User", user.Id.ToString(), new { user.Email });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return [];
    }

    public static string Link(string baseUrl, Guid userId, string token) =>
        $"{baseUrl}{ResetPath}?user={userId}&token={WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token))}";

    private static string? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(token));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// Emails a password-reset link, once (<see cref="EmailOnce"/>, under the delivery row "password-reset:{request}"). The job's arguments are
/// ids: the link's token is made here and kept nowhere, so the job queue never holds a working link.
/// </summary>
internal sealed class SendPasswordResetJob(
    UserManager<ApplicationUser> users,
    EmailOnce emailOnce,
    SiteAddress site,
    IOptions<SmtpSettings> smtp,
    IConfiguration configuration,
    TimeProvider time)
{
    public static string DeliveryKey(Guid requestId) => $"password-reset:{requestId}";

    public Task RunAsync(Guid userId, Guid requestId, CancellationToken cancellationToken) =>
        emailOnce.SendAsync(DeliveryKey(requestId), async _ =>
        {
            var user = await users.FindByIdAsync(userId.ToString());
            if (user?.Email is not { Length: > 0 } email || AccountStates.IsDisabled(user, time.GetUtcNow()))
            {
                return Outgoing.Nothing("No account to send to.");
            }

            var token = await users.GeneratePasswordResetTokenAsync(user);
            return Outgoing.Send(Compose(email, PasswordResets.Link(site.BaseUrl(), user.Id, token)));
        }, cancellationToken);

    private MimeMessage Compose(string email, string link)
    {
        var organisation = Organisation.NameIn(configuration);
        var message = new MimeMessage { Subject = $"Reset your password for {organisation}'s strike-donation site" };
        message.From.Add(smtp.Value.FromAddress);
        message.To.Add(MailboxAddress.Parse(email));
        message.Body = new TextPart("plain")
        {
            Text = $"""
                Someone, probably you, asked to reset the password of this address's account on {organisation}'s
                strike-donation site. To choose a new password, open this link within an hour:
                {link}

                The link works once. Your authenticator app, if you use one, stays as it is: signing in still asks
                for its code. If you did not ask, ignore this email: your password stays as it is.
                """,
        };
        return message;
    }
}
