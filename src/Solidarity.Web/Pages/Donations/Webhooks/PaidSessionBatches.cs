using System.Threading.Channels;

namespace Solidarity.Web.Pages.Donations.Webhooks;

/// <summary>
/// Gathers the paid Checkout Sessions that arrive while a batch is being applied and applies them together, in one
/// transaction (<see cref="StripeEventProcessor.ApplyPaidSessionsAsync"/>). One event alone is a batch of one, so a quiet
/// day waits for nothing; on a busy day every payment for a dispute no longer queues for its branches' locks one
/// transaction at a time. Each webhook request still answers only once its event is committed, with its outcome.
/// </summary>
internal sealed class PaidSessionBatches(IServiceScopeFactory scopes, ILogger<PaidSessionBatches> logger) : BackgroundService
{
    /// <summary>Keeps a batch's transaction, and its locks, short.</summary>
    public const int MaxBatch = 200;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private volatile bool _running;

    /// <summary>The last batch's work after its commit, which overlaps the next batch's.</summary>
    private Task _finishing = Task.CompletedTask;

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
        _running = true;
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                await ApplyAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Anything still waiting is applied alone by its own request, which is still running.
            await _finishing;
            _running = false;
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            foreach (var pending in batch)
            {
                pending.Outcome.TrySetResult(null);
            }
        }
    }

    private async Task ApplyAsync(List<Pending> batch, CancellationToken stoppingToken)
    {
        var scope = scopes.CreateAsyncScope();
        try
        {
            var processor = scope.ServiceProvider.GetRequiredService<StripeEventProcessor>();
            var applied = await processor.ApplyPaidSessionsAsync(batch.Select(p => p.Session).ToList(), stoppingToken);

            // The next batch is applied while this one's receipts are enqueued; its requests answer once they are.
            // Hangfire's client is synchronous, so the enqueueing runs on a thread of its own rather than this loop's.
            await _finishing;
            var finished = batch.ToArray();
            _finishing = Task.Run(() => FinishAsync(scope, processor, applied, finished), CancellationToken.None);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Each event is applied alone, so one fault costs no other payment.
            logger.LogWarning(e, "A batch of {Count} paid Checkout Sessions failed; applying each alone", batch.Count);
            await scope.DisposeAsync();
            foreach (var pending in batch)
            {
                pending.Outcome.TrySetResult(null);
            }
        }
    }

    private async Task FinishAsync(AsyncServiceScope scope, StripeEventProcessor processor, PaidSessionsApplied applied, Pending[] batch)
    {
        await using (scope)
        {
            try
            {
                await processor.AfterPaidSessionsAsync(applied, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not enqueue the receipts of {Count} payments just applied; the missing-receipts job will issue them", applied.PaidNow.Count);
            }
        }

        foreach (var (pending, outcome) in batch.Zip(applied.Outcomes))
        {
            pending.Outcome.TrySetResult(outcome);
        }
    }
}
