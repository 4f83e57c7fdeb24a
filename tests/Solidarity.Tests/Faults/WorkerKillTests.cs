using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Tests.Faults;

/// <summary>
/// A worker process killed mid-job, on a cluster of this test's own: the job is handed to the other worker process,
/// which finishes it once.
/// </summary>
public sealed class WorkerKillTests
{
    [Fact]
    public async Task A_worker_killed_while_it_emails_a_receipt_leaves_the_job_to_another_worker_which_sends_exactly_one_email()
    {
        await using var site = await WorkerProcesses.StartAsync("worker_kill");
        var donation = await site.AddPaidDonationAsync();
        await site.Smtp.StallAsync();
        var workers = await Task.WhenAll(site.StartWorkerAsync(), site.StartWorkerAsync());
        site.Confirm(donation);

        // The receipt is committed; its email job holds the delivery row and waits for the mail server's greeting.
        Assert.True(
            await site.Smtp.WaitForStalledConnectionAsync(WorkerProcesses.Patience),
            $"No worker reached the mail server.\n{site.WorkersOutput}");
        var email = Assert.Single(await site.JobsOfAsync<SendReceiptEmailJob>());
        var dying = workers.Single(w => w.Id == site.ProcessesThatRan(email).Single());
        var survivor = workers.Single(w => w != dying);
        await dying.KillAsync();
        await site.Smtp.StartListeningAsync();

        await site.Eventually(() => Task.FromResult(site.StateOf(email) == SucceededState.StateName), "the email job to succeed on the other worker");
        Assert.Equal([dying.Id, survivor.Id], site.ProcessesThatRan(email));
        Assert.Single(site.HistoryOf(email), s => s.StateName == SucceededState.StateName);
        Assert.False(survivor.HasExited, survivor.Output);

        var message = Assert.Single(site.Smtp.Messages);
        var receipt = Assert.Single(await site.ReceiptsAsync());
        Assert.Equal(WorkerProcesses.DonorEmail, Assert.Single(message.To.Mailboxes).Address);
        Assert.Contains(receipt.Number, message.Subject, StringComparison.Ordinal);
        Assert.EndsWith("-000001", receipt.Number, StringComparison.Ordinal);
        Assert.Equal(2, await site.App.WithDbAsync(db => db.ReceiptCounters.Select(c => c.Next).SingleAsync()));

        // The killed attempt's transaction died with its connection: only the attempt that sent is counted.
        var delivery = Assert.Single(await site.DeliveriesAsync());
        Assert.NotNull(delivery.SentAt);
        Assert.Equal(1, delivery.Attempts);
    }
}
