namespace Solidarity.Web.Pages.Receipts;

/// <summary>
/// Issues the receipts of donations confirmed together, each exactly as <see cref="IssueReceiptJob"/> does and in a
/// scope of its own. A donation whose receipt fails is handed to a job of its own, with Hangfire's retries, so one
/// fault holds up no other donor's receipt; a second run of the whole job finds the receipts already issued.
/// </summary>
internal sealed class IssueReceiptsJob(IServiceScopeFactory scopes, ReceiptScheduler scheduler, ILogger<IssueReceiptsJob> logger)
{
    public async Task RunAsync(Guid[] donationIds, CancellationToken cancellationToken)
    {
        foreach (var donationId in donationIds)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<IssueReceiptJob>().RunAsync(donationId, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "The receipt of donation {DonationId} failed in a batch; retrying it in a job of its own", donationId);
                scheduler.DonationConfirmed(donationId);
            }
        }
    }
}
