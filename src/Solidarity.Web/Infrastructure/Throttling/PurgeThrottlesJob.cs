namespace Solidarity.Web.Infrastructure.Throttling;

/// <summary>
/// Removes throttle counters a day after their window began, and the record of which client started a checkout a day
/// after it was written: even hashed, a client's trail is kept no longer.
/// </summary>
internal sealed class PurgeThrottlesJob(SolidarityDbContext db, TimeProvider time)
{
    public const string RecurringJobId = "purge-throttles";

    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(1);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - KeptFor;
        return await db.ThrottleCounters.Where(c => c.WindowStart < before).ExecuteDeleteAsync(cancellationToken)
            + await db.CheckoutClients.Where(c => c.CreatedAt < before).ExecuteDeleteAsync(cancellationToken);
    }
}
