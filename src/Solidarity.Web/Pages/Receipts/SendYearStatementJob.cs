using MimeKit;

namespace Solidarity.Web.Pages.Receipts;

/// <summary>
/// Emails the link to a statement of a year's giving, once (<see cref="EmailOnce"/>, under the delivery row
/// "year-statement:{id}"); the link in the message is the one whose hash was committed with the row marked sent. The
/// address is read from the gifts when the job runs, so neither the job's arguments nor the statement hold it, and a
/// donor erased meanwhile gets nothing.
/// </summary>
internal sealed class SendYearStatementJob(
    SolidarityDbContext db,
    EmailOnce email,
    DocumentEmails documents,
    SiteAddress site,
    ILogger<SendYearStatementJob> logger)
{
    public static string DeliveryKey(Guid statementId) => $"year-statement:{statementId}";

    public static string LinkPath(string token) => $"{YearStatements.Path}/{token}";

    public async Task RunAsync(Guid statementId, CancellationToken cancellationToken)
    {
        var year = 0;
        var sent = await email.SendAsync(DeliveryKey(statementId), async ct =>
        {
            var statement = await db.YearStatements.Where(s => s.Id == statementId).SingleAsync(ct);
            var ids = statement.DonationIds;
            var donor = await db.Donations.AsNoTracking()
                .Where(d => ids.Contains(d.Id) && d.ErasedAt == null && d.Email != null)
                .OrderByDescending(d => d.PaidAt)
                .Select(d => new { d.Email, d.DonorName })
                .FirstOrDefaultAsync(ct);
            if (statement.ErasedAt is not null || string.IsNullOrWhiteSpace(donor?.Email))
            {
                // The donor was erased after asking: nothing to send, and nothing to retry.
                return Outgoing.Nothing("No email address.");
            }

            var token = documents.NewLinkToken(statement);
            year = statement.Year;
            return Outgoing.Send(Compose(
                statementId, statement.Year, donor.Email, donor.DonorName, $"{site.BaseUrl()}{LinkPath(token)}", statement.DownloadTokenExpiresAt!.Value));
        }, cancellationToken);

        if (sent)
        {
            logger.LogInformation("Statement of giving for {Year} emailed ({StatementId})", year, statementId);
        }
    }

    private MimeMessage Compose(Guid statementId, int year, string email, string? name, string link, DateTimeOffset expires)
    {
        var message = documents.Message($"year-statement-{statementId:N}", $"Your statement of giving for {year}");
        message.To.Add(new MailboxAddress(name?.Trim() ?? "", email.Trim()));
        message.Body = new TextPart("plain")
        {
            Text = $"""
                Here is your statement of giving for {year}: every gift you made that year through {documents.Settings.OrganisationName},
                with its receipt number, every credit note against those gifts, and the net total, in one PDF.

                You can download it until {LondonClock.LongDate(expires)}:
                {link}

                It was asked for with this address at {site.BaseUrl()}{YearStatements.Path}, or sent to you as a regular giver.
                If you did not expect it, you can ignore this email: statements only ever go to the address that gave.

                {documents.Closing}
                """,
        };
        return message;
    }
}

/// <summary>
/// Early in January, emails last year's statement to the donors <see cref="YearStatements.MonthlyGiversOfYearAsync"/>
/// selects. Each address is queued through <see cref="YearStatements.SendAsync"/>, once per address and year, so a
/// second run, or one stopped half-way and retried, sends nobody a second email.
/// </summary>
internal sealed class SendYearStatementsJob(YearStatements statements, TimeProvider time, ILogger<SendYearStatementsJob> logger)
{
    public const string RecurringJobId = "send-year-statements";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var year = LondonClock.ToLondon(time.GetUtcNow()).Year - 1;
        var addresses = await statements.MonthlyGiversOfYearAsync(year, cancellationToken);
        var queued = 0;
        foreach (var address in addresses)
        {
            if (await statements.SendAsync(address, year, cancellationToken))
            {
                queued++;
            }
        }

        logger.LogInformation("Statements of giving for {Year}: {Queued} queued, {Addresses} addresses selected", year, queued, addresses.Count);
    }
}
