using Solidarity.Core.Audit;

namespace Solidarity.Web.Pages.Admin.Updates;

/// <summary>
/// Publishes the scheduled updates that are due, every minute. The publishing is one conditional UPDATE on rows
/// still scheduled: when two workers run it at once, PostgreSQL makes the second wait for the first's rows and
/// then finds them no longer scheduled, so each update is published (and audited) exactly once. Where this process
/// also serves the site, the disputes' cached pages are evicted; web processes of their own catch up within the cache's lifetime.
/// </summary>
internal sealed class PublishScheduledUpdatesJob(
    SolidarityDbContext db, PublicPageCache cache, TimeProvider time, ILogger<PublishScheduledUpdatesJob> logger)
{
    public const string RecurringId = "publish-scheduled-updates";
    public const string SchedulerName = "scheduler";

    /// <summary>Answers how many updates this run published.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // Published at the time it was scheduled for, not the minute the job came round: the feed's order is the author's.
        var published = await db.Database.SqlQuery<Published>($"""
            UPDATE "DisputeUpdates"
            SET "Status" = 'Published', "PublishedAt" = "ScheduledFor"
            WHERE "Status" = 'Scheduled' AND "ScheduledFor" <= {now}
            RETURNING "Id", "DisputeId"
            """).ToListAsync(cancellationToken);

        foreach (var (id, _) in published)
        {
            db.AuditEntries.Add(new AuditEntry
            {
                At = now,
                UserName = SchedulerName,
                Action = AuditActions.UpdatePublishedOnSchedule,
                SubjectType = "DisputeUpdate",
                SubjectId = id.ToString(),
            });
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (published.Count > 0)
        {
            await cache.EvictDisputesAsync(published.Select(p => p.DisputeId), cancellationToken);
            logger.LogInformation("Published {Count} scheduled updates", published.Count);
        }

        return published.Count;
    }

    private sealed record Published(Guid Id, Guid DisputeId);
}
