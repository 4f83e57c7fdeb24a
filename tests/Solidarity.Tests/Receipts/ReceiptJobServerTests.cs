using System.Net;
using System.Text.RegularExpressions;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Tests.Receipts;

/// <summary>The jobs run by real Hangfire servers on the test database, as worker processes would run them.</summary>
public sealed partial class ReceiptJobServerTests(JobsSiteFixture fixture) : ReceiptsTest(fixture)
{
    [Fact]
    public async Task Confirmed_donation_is_receipted_and_emailed_with_the_pdf_and_a_link_that_downloads_it()
    {
        var donation = await AddDonationAsync();
        using var server = Fixture.StartJobServer("end-to-end");

        await using (var scope = App.Scope())
        {
            scope.ServiceProvider.GetRequiredService<ReceiptScheduler>().DonationConfirmed(donation.Id);
        }

        var message = await Smtp.WaitForMessageAsync(Patience);
        var receipt = Assert.Single(await ReceiptsAsync());
        Assert.Equal("jo@example.org", Assert.Single(message.To.Mailboxes).Address);
        Assert.Contains(receipt.Number, message.Subject, StringComparison.Ordinal);
        Assert.StartsWith($"receipt-{receipt.Id:N}@", message.MessageId, StringComparison.Ordinal);
        var attachment = Assert.Single(message.Attachments.OfType<MimePart>());
        Assert.Equal("application/pdf", attachment.ContentType.MimeType);
        Assert.NotNull(attachment.Content);
        Assert.Equal($"{receipt.Number}.pdf", attachment.FileName);
        using var attached = new MemoryStream();
        await attachment.Content.DecodeToAsync(attached);
        Assert.Contains("£25.00", PdfTextReader.Words(attached.ToArray()), StringComparison.Ordinal);

        var link = LinkIn(message);
        Assert.StartsWith(JobsSiteApp.BaseUrl + "/receipts/", link, StringComparison.Ordinal);

        // The link's token is committed with the delivery, a moment after the mail server accepted the message.
        await Eventually(
            () => App.WithDbAsync(db => db.EmailDeliveries.AnyAsync(d => d.SentAt != null)), "the delivery to be recorded as sent");
        using var client = App.CreateClient();
        using var response = await client.GetAsync(new Uri(link).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(receipt.Pdf, await response.Content.ReadAsByteArrayAsync());

        await Eventually(() => Task.FromResult(SucceededCount() == 2), "both jobs to succeed");
        Assert.Single(Smtp.Messages);
    }

    [Fact]
    public async Task Donations_confirmed_together_are_receipted_by_one_job_each_with_its_own_number_and_email()
    {
        var donations = new[] { await AddDonationAsync("a@example.org"), await AddDonationAsync("b@example.org"), await AddDonationAsync(null) };
        using var server = Fixture.StartJobServer("batch");

        await using (var scope = App.Scope())
        {
            scope.ServiceProvider.GetRequiredService<ReceiptScheduler>().DonationsConfirmed(donations.Select(d => d.Id).ToList());
        }

        await Eventually(async () => (await ReceiptsAsync()).Count == 3 && Smtp.Messages.Count == 2, "three receipts and two emails");
        var receipts = await ReceiptsAsync();
        Assert.Equal(donations.Select(d => d.Id).Order(), receipts.Select(r => r.DonationId).Order());
        Assert.Equal(3, receipts.Select(r => r.Number).Distinct().Count());
        Assert.Equal(["a@example.org", "b@example.org"], Smtp.Messages.Select(m => m.To.Mailboxes.Single().Address).Order());
    }

    [Fact]
    public async Task Mail_server_down_then_up_sends_exactly_one_email_and_the_receipt_stays_downloadable_meanwhile()
    {
        var donation = await AddDonationAsync();
        await Smtp.StopListeningAsync();
        try
        {
            using var server = Fixture.StartJobServer("smtp-outage");
            await using (var scope = App.Scope())
            {
                scope.ServiceProvider.GetRequiredService<ReceiptScheduler>().DonationConfirmed(donation.Id);
            }

            await Eventually(
                () => App.WithDbAsync(db => db.EmailDeliveries.AnyAsync(d => d.Attempts >= 2 && d.SentAt == null)),
                "two failed attempts to send");
            Assert.Single(await ReceiptsAsync());
            var failed = await App.WithDbAsync(db => db.EmailDeliveries.SingleAsync());
            Assert.NotNull(failed.LastError);

            await Smtp.StartListeningAsync();
            var message = await Smtp.WaitForMessageAsync(Patience);
            await Eventually(() => Task.FromResult(SucceededCount() == 2), "the email job to succeed");
            Assert.Contains(Assert.Single(await ReceiptsAsync()).Number, message.Subject, StringComparison.Ordinal);
        }
        finally
        {
            await Smtp.StartListeningAsync();
        }

        var receipt = Assert.Single(await ReceiptsAsync());
        await RunAsync<SendReceiptEmailJob>(job => job.RunAsync(receipt.Id, CancellationToken.None));
        Assert.Single(Smtp.Messages);
        Assert.NotNull((await App.WithDbAsync(db => db.EmailDeliveries.SingleAsync())).SentAt);
    }

    [Fact]
    public async Task A_thousand_receipts_issued_by_four_servers_are_numbered_without_gaps_or_repeats()
    {
        const int count = 1_000;
        App.Clock.Now = IssuedAt;
        var donations = new List<Solidarity.Core.Donations.Donation>();
        for (var i = 0; i < count; i++)
        {
            donations.Add(new Solidarity.Core.Donations.Donation
            {
                DisputeId = Dispute.Id, ChosenBranchId = Burton.Id, Method = Solidarity.Core.Donations.DonationMethod.Cheque,
                Status = Solidarity.Core.Donations.DonationStatus.Paid, AmountPence = 100 + i, DonorName = $"Donor {i}",
                CreatedAt = PaidAt, PaidAt = PaidAt,
            });
        }

        await App.WithDbAsync(db =>
        {
            db.Donations.AddRange(donations);
            return db.SaveChangesAsync();
        });

        await using (var scope = App.Scope())
        {
            var scheduler = scope.ServiceProvider.GetRequiredService<ReceiptScheduler>();
            foreach (var donation in donations)
            {
                scheduler.DonationConfirmed(donation.Id);
            }

            // Duplicate confirmations race the originals for the same receipt.
            foreach (var donation in donations.Take(100))
            {
                scheduler.DonationConfirmed(donation.Id);
            }
        }

        var servers = Enumerable.Range(1, 4).Select(i => Fixture.StartJobServer($"numbering-{i}", workerCount: 4)).ToList();
        try
        {
            await Eventually(() => Task.FromResult(SucceededCount() == count + 100), "every job to succeed", TimeSpan.FromSeconds(90));
        }
        finally
        {
            servers.ForEach(s => s.SendStop());
            servers.ForEach(s => s.Dispose());
        }

        var numbers = await App.WithDbAsync(db => db.Receipts.Select(r => r.Number).ToListAsync());
        Assert.Equal(count, numbers.Count);
        Assert.Equal(
            Enumerable.Range(1, count).Select(n => ReceiptNumbers.Format("SOL", 2017, n)),
            numbers.Order(StringComparer.Ordinal));
        Assert.Equal(count, await App.WithDbAsync(db => db.Receipts.Select(r => r.DonationId).Distinct().CountAsync()));
        Assert.Equal(count + 1, await App.WithDbAsync(db => db.ReceiptCounters.Select(c => c.Next).SingleAsync()));
    }

    private long SucceededCount() => App.Services.GetRequiredService<JobStorage>().GetMonitoringApi().SucceededListCount();

    internal static string LinkIn(MimeMessage message) => LinkPattern().Match(message.TextBody ?? "").Value;

    [GeneratedRegex(@"http://\S+/receipts/[A-Za-z0-9_-]+")]
    private static partial Regex LinkPattern();
}
