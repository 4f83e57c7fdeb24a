namespace Solidarity.Web.Infrastructure.Jobs;

/// <summary>
/// A recurring job's items, each on its own: one item's failure (a branch whose contact address the mail server
/// refuses, a subscription Stripe will not cancel) is logged and the others still go ahead; the job then fails at the
/// end, so that Hangfire retries it and the retry makes good what is missing. Without this, the first item that kept
/// failing would stop every item after it, every day.
/// </summary>
internal static class EachAlone
{
    /// <param name="what">The items, for the log and the failure: "branch digests".</param>
    /// <returns>How many items <paramref name="step"/> counted as done (it answers true for those).</returns>
    /// <exception cref="AggregateException">One or more items failed; the message counts them and the done ones.</exception>
    public static async Task<int> RunAsync<T>(
        IEnumerable<T> items, Func<T, Task<bool>> step, ILogger logger, string what, CancellationToken cancellationToken)
    {
        var done = 0;
        var failures = new List<Exception>();
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                done += await step(item) ? 1 : 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "One of the {What} failed ({Item}); the others go ahead, and the job fails at the end", what, item);
                failures.Add(e);
            }
        }

        return failures.Count == 0
            ? done
            : throw new AggregateException($"{failures.Count} of the {what} failed; {done} done.", failures);
    }
}
