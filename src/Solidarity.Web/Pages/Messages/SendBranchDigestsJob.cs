using Solidarity.Web.Infrastructure.Jobs;
using MimeKit;
using Solidarity.Core.Email;

namespace Solidarity.Web.Pages.Messages;

/// <summary>
/// Once a day, emails each branch contact the messages approved since the branch's last digest for the disputes
/// the branch receives money from. A digest row, unique per branch and London day, is inserted with its delivery
/// row in one transaction, so a second run the same day (or a second worker) adds nothing; the send then goes through
/// <see cref="EmailOnce"/> like every email. Branches with no email address or nothing new are skipped.
/// </summary>
internal sealed class SendBranchDigestsJob(
    SolidarityDbContext db,
    EmailOnce email,
    IOptions<SmtpSettings> smtpOptions,
    SiteAddress site,
    TimeProvider time,
    ILogger<SendBranchDigestsJob> logger)
{
    public const string RecurringId = "send-branch-digests";

    /// <summary>
    /// A message approved in the last moments before the cutoff may still be committing; leaving them to the
    /// next digest means none falls between two windows.
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMinutes(1);

    public static string DeliveryKey(Guid digestId) => $"digest:{digestId}";

    /// <summary>Answers how many digest emails this run sent (today's and any earlier ones still owed).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(LondonClock.ToLondon(now).DateTime);
        var branches = await db.Branches.AsNoTracking()
            .Where(b => b.ContactEmail != null && b.ContactEmail != "")
            .OrderBy(b => b.Code)
            .Select(b => b.Id)
            .ToListAsync(cancellationToken);
        foreach (var branchId in branches)
        {
            await RecordDigestAsync(branchId, today, now - Settle, cancellationToken);
        }

        var owed = await db.BranchDigests.AsNoTracking()
            .Where(d => db.EmailDeliveries.Any(e => e.Key == "digest:" + d.Id.ToString() && e.SentAt == null))
            .OrderBy(d => d.Date).ThenBy(d => d.Id)
            .Select(d => d.Id)
            .ToListAsync(cancellationToken);
        // One branch whose contact address the mail server refuses holds back no other branch's digest.
        return await EachAlone.RunAsync(owed, digestId => SendOnceAsync(digestId, cancellationToken), logger, "branch digests", cancellationToken);
    }

    private async Task RecordDigestAsync(Guid branchId, DateOnly today, DateTimeOffset until, CancellationToken cancellationToken)
    {
        if (await db.BranchDigests.AnyAsync(d => d.BranchId == branchId && d.Date == today, cancellationToken))
        {
            return;
        }

        var since = await db.BranchDigests.Where(d => d.BranchId == branchId).MaxAsync(d => (DateTimeOffset?)d.Until, cancellationToken);
        if (since >= until)
        {
            return;
        }

        var count = await ApprovedFor(branchId, since, until).CountAsync(cancellationToken);
        if (count == 0)
        {
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var digest = new BranchDigest
        {
            BranchId = branchId, Date = today, Since = since, Until = until, MessageCount = count, CreatedAt = time.GetUtcNow(),
        };
        db.BranchDigests.Add(digest);
        db.EmailDeliveries.Add(new EmailDelivery { Key = DeliveryKey(digest.Id), CreatedAt = digest.CreatedAt });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Another run recorded today's digest for this branch first: it is the one that will be sent.
            await transaction.RollbackAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private async Task<bool> SendOnceAsync(Guid digestId, CancellationToken cancellationToken)
    {
        var count = 0;
        string? code = null;
        var sent = await email.SendAsync(DeliveryKey(digestId), async ct =>
        {
            var digest = await db.BranchDigests.AsNoTracking().SingleAsync(d => d.Id == digestId, ct);
            var branch = await db.Branches.AsNoTracking()
                .Where(b => b.Id == digest.BranchId)
                .Select(b => new { b.Code, b.Name, b.ContactName, b.ContactEmail })
                .SingleAsync(ct);
            if (string.IsNullOrWhiteSpace(branch.ContactEmail))
            {
                return Outgoing.Nothing("No email address.");
            }

            var messages = (await ApprovedFor(digest.BranchId, digest.Since, digest.Until).ToListAsync(ct))
                .OrderBy(m => m.DisputeTitle, StringComparer.Ordinal).ThenBy(m => m.CreatedAt)
                .ToList();
            (count, code) = (messages.Count, branch.Code);
            return Outgoing.Send(Compose(digest, branch.Name, branch.Code, branch.ContactName, branch.ContactEmail, messages));
        }, cancellationToken);

        if (sent)
        {
            logger.LogInformation("Digest of {Count} messages for branch {Code} sent", count, code);
        }

        return sent;
    }

    private sealed record DigestLine(string DisputeTitle, string DisputeSlug, string? AuthorName, string? OrganisationName, string? Town, string Body, DateTimeOffset CreatedAt);

    /// <summary>Messages approved in (since, until] for the disputes the branch is a beneficiary of.</summary>
    private IQueryable<DigestLine> ApprovedFor(Guid branchId, DateTimeOffset? since, DateTimeOffset until) =>
        db.SupportMessages.AsNoTracking()
            .Where(m => m.Status == ModerationStatus.Approved && m.ModeratedAt <= until && (since == null || m.ModeratedAt > since))
            .Where(m => db.BeneficiaryBranches.Any(b => b.BranchId == branchId && b.DisputeId == m.DisputeId))
            .Join(db.Disputes, m => m.DisputeId, d => d.Id, (m, d) => new DigestLine(d.Title, d.Slug, m.AuthorName, m.OrganisationName, m.Town, m.Body, m.CreatedAt));

    private MimeMessage Compose(BranchDigest digest, string branchName, string branchCode, string contactName, string email, IReadOnlyList<DigestLine> messages)
    {
        var day = digest.Date.ToString("dddd d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));
        var siteBaseUrl = site.BaseUrl();
        var message = smtpOptions.Value.Message(
            $"digest-{digest.Id:N}",
            messages.Count == 1
                ? $"1 new message of support for {branchName} ({day})"
                : $"{messages.Count} new messages of support for {branchName} ({day})");
        message.To.Add(new MailboxAddress(contactName, email));

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Dear {contactName},");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Supporters have sent these messages to the members of {branchName} ({branchCode}). Please pass them on.");
        foreach (var dispute in messages.GroupBy(m => (m.DisputeTitle, m.DisputeSlug)))
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"== {dispute.Key.DisputeTitle} ==");
            text.AppendLine(CultureInfo.InvariantCulture, $"{siteBaseUrl}/disputes/{dispute.Key.DisputeSlug}#messages");
            foreach (var line in dispute)
            {
                var from_ = string.Join(", ", new[] { line.AuthorName ?? "Anonymous", line.OrganisationName, line.Town }.Where(p => p is not null));
                text.AppendLine();
                text.AppendLine(line.Body);
                text.AppendLine(CultureInfo.InvariantCulture, $"  from {from_}, {LondonClock.LongDate(line.CreatedAt)}");
            }
        }

        text.AppendLine();
        text.AppendLine("You receive this once a day when there are new messages, because you are the branch's contact on Solidarity.");
        message.Body = new TextPart("plain") { Text = text.ToString() };
        return message;
    }
}
