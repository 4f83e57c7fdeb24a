using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Web.Pages.Donations.Webhooks;

/// <summary>
/// Gathers the paid Checkout Sessions that arrive while batches are being applied and applies them together, in one
/// transaction (<see cref="StripeEventProcessor.ApplyPaidSessionsAsync"/>). One event alone is a batch of one, so a quiet
/// day waits for nothing; on a busy day every payment for a dispute no longer queues for its branches' locks one
/// transaction at a time. Two batches are in progress at once (<see cref="BatchesInFlight"/>): one posts under the
/// branches' locks while the next records its events and locks its donations. Each webhook request still answers only
/// once its event is committed, with its outcome.
/// </summary>
/// <remarks>
/// The receipts the batches owe are enqueued by a loop of their own, as one <see cref="IssueReceiptsJob"/> for everything
/// paid since its last enqueue: a request answers once its event is committed and the dispute's pages are evicted, and
/// does not wait for Hangfire's client. A crash in between loses no receipt: IssueMissingReceiptsJob finds what is owed.
/// <para>
/// Each committed batch is measured on the <see cref="MeterName"/> meter: <c>solidarity.webhooks.batch.size</c> (its
/// events) and <c>solidarity.webhooks.batch.duration</c> (from its first statement to its commit), for whatever collects
/// the site's metrics, and for the webhooks benchmark.
/// </para>
/// </remarks>
internal sealed class PaidSessionBatches(IServiceScopeFactory scopes, PublicPageCache pages, IMeterFactory meters, ILogger<PaidSessionBatches> logger)
    : BackgroundService
{
    public const string MeterName = "Solidarity.Webhooks";

    /// <summary>Keeps a batch's transaction, and its locks, short.</summary>
    public const int MaxBatch = 200;

    /// <summary>
    /// Batches in progress at once. The branches' locks let only one post at a time; the next records its events and
    /// locks its donations meanwhile, so that the branches are never left waiting for a batch's first round trips.
    /// </summary>
    public const int BatchesInFlight = 2;

    /// <summary>Keeps one receipts job to a few minutes' work, however long Hangfire's client was held up.</summary>
    public const int MaxReceiptsPerJob = 1000;

    /// <summary>
    /// How long the receipts' loop gathers what is owed before it enqueues: a receipt's email waits this much longer,
    /// and a busy day's payments share a job (and its five statements) a fifth of a second, not a batch, at a time.
    /// </summary>
    public static readonly TimeSpan ReceiptsWindow = TimeSpan.FromMilliseconds(200);

    // The factory gives both the same meter, which it disposes with the site.
    private readonly Histogram<int> _batchSize = meters.Create(MeterName).CreateHistogram<int>(
        "solidarity.webhooks.batch.size", "{event}", "Paid Checkout Sessions applied together in one transaction.");

    private readonly Histogram<double> _batchDuration = meters.Create(MeterName).CreateHistogram<double>(
        "solidarity.webhooks.batch.duration", "s", "Time from a batch's first statement to its commit.");

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<IReadOnlyList<Guid>> _receiptsOwed =
        Channel.CreateUnbounded<IReadOnlyList<Guid>>(new UnboundedChannelOptions { SingleReader = true });

    private volatile bool _running;

    private sealed record Pending(PaidSession Session, TaskCompletionSource<string?> Outcome);

    /// <returns>The event's outcome; null when the caller is to apply it alone (batches are not running, or left it out).</returns>
    public async Task<string?> ApplyAsync(PaidSession session, CancellationToken cancellationToken)
    {
        var pending = new Pending(session, new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_running || !_queue.Writer.TryWrite(pending))
        {
            return null;
        }

        return await pending.Outcome.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Hangfire's client is synchronous: the receipts' loop has a thread of its own rather than the thread pool's.
        var receipts = Task.Factory.StartNew(EnqueueReceipts, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        using var slots = new SemaphoreSlim(BatchesInFlight);
        _running = true;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                // A batch starts as soon as a slot is free, with every event that has arrived by then.
                await slots.WaitAsync(stoppingToken);
                var batch = new List<Pending>();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                _ = RunAsync(batch, slots, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Anything still waiting is applied alone by its own request, which is still running.
            _running = false;
            _queue.Writer.TryComplete();
            for (var i = 0; i < BatchesInFlight; i++)
            {
                await slots.WaitAsync(CancellationToken.None);
            }

            while (_queue.Reader.TryRead(out var pending))
            {
                pending.Outcome.TrySetResult(null);
            }

            // The receipts already owed are enqueued before the site stops.
            _receiptsOwed.Writer.TryComplete();
            await receipts;
        }
    }

    private async Task RunAsync(List<Pending> batch, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await ApplyAsync(batch, stoppingToken);
        }
        catch (Exception)
        {
            // Stopped mid-batch: nothing was committed, and each request applies its event alone.
            foreach (var pending in batch)
            {
                pending.Outcome.TrySetResult(null);
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task ApplyAsync(List<Pending> batch, CancellationToken stoppingToken)
    {
        PaidSessionsApplied applied;
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            applied = await scope.ServiceProvider.GetRequiredService<StripeEventProcessor>()
                .ApplyPaidSessionsAsync(batch.Select(p => p.Session).ToList(), stoppingToken);
            _batchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            _batchSize.Record(batch.Count);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Each event is applied alone, so one fault costs no other payment.
            logger.LogWarning(e, "A batch of {Count} paid Checkout Sessions failed; applying each alone", batch.Count);
            foreach (var pending in batch)
            {
                pending.Outcome.TrySetResult(null);
            }

            return;
        }

        // This process shows the new figures before any request answers; the others within the cache's lifetime. The
        // batch is committed: a failure here costs at most a page as stale as that lifetime, never the loop.
        try
        {
            if (applied.Disputes.Count > 0)
            {
                await pages.EvictDisputesAsync(applied.Disputes, CancellationToken.None);
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not evict the pages of the disputes a batch of payments changed");
        }

        if (applied.PaidNow.Count > 0)
        {
            _receiptsOwed.Writer.TryWrite(applied.PaidNow);
        }

        foreach (var (pending, outcome) in batch.Zip(applied.Outcomes))
        {
            pending.Outcome.TrySetResult(outcome);
        }
    }

    /// <summary>
    /// Enqueues one job for every receipt owed since the last enqueue: with one payment at a time, a job each; on a busy
    /// day, the payments of the batches committed while the last job was being enqueued, together.
    /// </summary>
    private void EnqueueReceipts()
    {
        var owed = new List<Guid>();
        while (_receiptsOwed.Reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
        {
            if (_running)
            {
                Thread.Sleep(ReceiptsWindow);
            }

            while (owed.Count < MaxReceiptsPerJob && _receiptsOwed.Reader.TryRead(out var paid))
            {
                owed.AddRange(paid);
            }

            try
            {
                using var scope = scopes.CreateScope();
                scope.ServiceProvider.GetRequiredService<ReceiptScheduler>().DonationsConfirmed(owed);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not enqueue the receipts of {Count} payments just applied; the missing-receipts job will issue them", owed.Count);
            }

            owed.Clear();
        }
    }
}
