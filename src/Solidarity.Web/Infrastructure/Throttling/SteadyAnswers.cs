namespace Solidarity.Web.Infrastructure.Throttling;

/// <summary>
/// For a request whose answer must not say which way it went (does this address have an account, did it give that
/// year): the words are the same either way, but the branch that finds something writes rows and enqueues a job before
/// answering, which takes longer. Timing the answer against a known-empty address would tell. The work runs as before,
/// and the answer waits until <see cref="Floor"/> has passed since it began, so both branches answer at the same moment
/// unless the work itself takes longer than that.
/// </summary>
internal static class SteadyAnswers
{
    /// <summary>Well above what either branch takes on a healthy server; a person asking does not notice it.</summary>
    public static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(400);

    public static async Task<T> NoSoonerThanFloorAsync<T>(Func<Task<T>> work, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var result = await work();
        var left = Floor - time.GetElapsedTime(started);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, time, cancellationToken);
        }

        return result;
    }
}
