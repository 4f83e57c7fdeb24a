using Hangfire.States;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Tests.Faults;

/// <summary>The mail server down for a whole run of receipt jobs, then back, with a worker process on a cluster of this test's own.</summary>
public sealed class MailOutageTests
{
    [Fact]
    public async Task A_whole_run_of_receipts_during_a_mail_outage_sends_exactly_one_email_each_once_the_server_is_back()
    {
        await using var site = await WorkerProcesses.StartAsync("mail_outage");
        var donations = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            donations.Add(await site.AddPaidDonationAsync());
        }

        await site.Smtp.StopListeningAsync();
        await site.StartWorkerAsync();
        donations.ForEach(id => site.Confirm(id));

        await site.Eventually(
            async () => (await site.DeliveriesAsync()).Count(d => d.Attempts >= 1 && d.SentAt == null) == donations.Count,
            "every email to have failed once");
        Assert.Equal(donations.Count, (await site.ReceiptsAsync()).Count);

        await site.Smtp.StartListeningAsync();
        await site.Eventually(
            async () => (await site.DeliveriesAsync()).Count(d => d.SentAt != null) == donations.Count, "every email to be sent");

        // Every receipt's email once more, as a late retry or a second worker would send it: nothing more goes out.
        var again = (await site.ReceiptsAsync()).Select(r => site.EmailAgain(r.Id)).ToList();
        await site.Eventually(
            () => Task.FromResult(again.All(id => site.StateOf(id) == SucceededState.StateName)), "the emails sent again to succeed");

        var receipts = await site.ReceiptsAsync();
        Assert.Equal(donations.Count, site.Smtp.Messages.Count);
        Assert.Equal(
            receipts.Select(r => r.Number).Order(StringComparer.Ordinal),
            site.Smtp.Messages.Select(m => receipts.Single(r => (m.Subject ?? "").Contains(r.Number, StringComparison.Ordinal)).Number).Order(StringComparer.Ordinal));
    }
}
