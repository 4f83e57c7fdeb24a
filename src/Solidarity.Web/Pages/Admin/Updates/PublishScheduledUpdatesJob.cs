using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Audit;
using Solidarity.Core.Data;

namespace Solidarity.Web.Pages.Admin.Updates;

/// <summary>
/// Publishes the scheduled updates that are due, every minute. The publishing is one conditional UPDATE on rows
/// still scheduled: when two workers run it at once, PostgreSQL makes the second wait for the first's rows and
/// then finds them no longer scheduled, so each update is published (and audited) exactly once.
/// </summary>
internal sealed class PublishScheduledUpdatesJob(SolidarityDbContext db, TimeProvider time, ILogger<PublishScheduledUpdatesJob> logger)
{
    public const string RecurringId = "publish-scheduled-updates";
    public const string SchedulerName = "scheduler";

    /// <summary>Answers how many updates this run published.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // Published at the time it was scheduled for, not the minute the job came round: the feed's order is the author's.
        var published = await db.Database.SqlQuery<Guid>($"""
            UPDATE "DisputeUpdates"
            SET "Status" = 'Published', "PublishedAt" = "ScheduledFor"
            WHERE "Status" = 'Scheduled' AND "ScheduledFor" <= {now}
            RETURNING "Id" AS "Value"
            """).ToListAsync(cancellationToken);

        foreach (var id in published)
        {
            db.AuditEntries.Add(new AuditEntry
            {
                At = now,
                UserName = SchedulerName,
                Action = UpdateAuditActions.PublishedOnSchedule,
                SubjectType = "DisputeUpdate",
                SubjectId = id.ToString(),
            });
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (published.Count > 0)
        {
            logger.LogInformation("Published {Count} scheduled updates", published.Count);
        }

        return published.Count;
    }
}
