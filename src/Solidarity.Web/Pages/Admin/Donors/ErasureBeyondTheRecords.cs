using Solidarity.Web.Infrastructure.Jobs;

namespace Solidarity.Web.Pages.Admin.Donors;

/// <summary>
/// What an erasure must reach besides the site's own rows: the jobs' store, where a failed receipt email once kept the
/// mail server's answer (which may quote the address) before the site stopped giving it any, and the .eml files a
/// development site writes instead of sending (Production refuses that folder). Both run after the erasure commits;
/// neither can change what it erased, and running them twice finds nothing the second time.
/// </summary>
internal sealed class ErasureBeyondTheRecords(
    SolidarityDbContext db, IEmailSender sender, IConfiguration configuration, ILogger<ErasureBeyondTheRecords> logger)
{
    public const string RemovedError = "Removed at the donor's request.";

    /// <returns>How many job states and how many .eml files were cleared.</returns>
    /// <param name="normalisedEmail">The donor's address; null for a gift given without one, to which no email ever went.</param>
    public async Task<(int JobStates, int MailFiles)> EraseAsync(string? normalisedEmail, IReadOnlyList<Guid> receiptIds, CancellationToken cancellationToken)
    {
        var states = receiptIds.Count == 0 ? 0 : await ClearJobErrorsAsync(receiptIds, cancellationToken);
        var files = sender is PickupFolderEmailSender pickup && normalisedEmail is not null ? DeleteMailFiles(pickup.Directory, normalisedEmail) : 0;
        return (states, files);
    }

    /// <summary>The exception text Hangfire kept for any job about one of the erased receipts (its id is the job's argument).</summary>
    private Task<int> ClearJobErrorsAsync(IReadOnlyList<Guid> receiptIds, CancellationToken cancellationToken)
    {
        var schemaName = configuration.GetSection(JobsSettings.Section).Get<JobsSettings>()?.SchemaName ?? new JobsSettings().SchemaName;
        var schema = "\"" + schemaName.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var patterns = receiptIds.Select(id => $"%{id}%").ToArray();
#pragma warning disable EF1002 // The schema is the site's own setting, quoted as an identifier; the values are parameters.
        return db.Database.ExecuteSqlRawAsync(
            $"""
            UPDATE {schema}."state"
            SET "data" = ("data" - 'ExceptionMessage' - 'ExceptionDetails') || jsonb_build_object('ExceptionMessage', @removed)
            WHERE "jobid" IN (SELECT "id" FROM {schema}."job" WHERE "arguments"::text LIKE ANY(@patterns))
                AND ("data" ? 'ExceptionDetails' OR ("data" ? 'ExceptionMessage' AND "data"->>'ExceptionMessage' <> @removed))
            """,
            [new Npgsql.NpgsqlParameter("removed", RemovedError), new Npgsql.NpgsqlParameter("patterns", patterns)],
            cancellationToken);
#pragma warning restore EF1002
    }

    private int DeleteMailFiles(string directory, string normalisedEmail)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var deleted = 0;
        foreach (var file in Directory.EnumerateFiles(directory, "*.eml"))
        {
            try
            {
                var message = MimeKit.MimeMessage.Load(file);
                if (message.To.Mailboxes.Concat(message.Cc.Mailboxes).Any(m => string.Equals(m.Address, normalisedEmail, StringComparison.OrdinalIgnoreCase)))
                {
                    File.Delete(file);
                    deleted++;
                }
            }
            catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
            {
                logger.LogWarning("Could not read or delete {File} while erasing a donor: {Error}", Path.GetFileName(file), e.GetType().Name);
            }
        }

        return deleted;
    }
}
