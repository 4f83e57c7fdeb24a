using System.Globalization;
using System.Net;
using Hangfire;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Core.Receipts;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Tests.Receipts;

/// <summary>How receipts follow the money: the webhook and the safety net enqueue them, a real job server issues them.</summary>
public sealed class ReceiptWiringTests(JobsSiteFixture fixture) : ReceiptsTest(fixture)
{
    [Fact]
    public async Task Webhook_confirming_a_card_payment_gets_the_donor_a_receipt_by_email()
    {
        var donation = await AddDonationAsync(status: DonationStatus.Pending);
        var payment = new CardPayment(donation.Id, donation.ChargedPence);
        using var server = Fixture.StartJobServer("wiring");

        await WebhookSender.DeliverAsync(App.CreateClient(), payment.Completed());

        await Eventually(async () => (await ReceiptsAsync()).Count == 1 && Smtp.Messages.Count == 1, "the receipt and its email");
        var receipt = Assert.Single(await ReceiptsAsync());
        Assert.Equal(donation.Id, receipt.DonationId);
        Assert.Equal(ReceiptKind.Receipt, receipt.Kind);
    }

    [Fact]
    public async Task Payments_confirmed_together_in_batches_each_get_one_receipt_and_one_email_with_no_gap_in_the_numbers()
    {
        var payments = new List<CardPayment>();
        for (var i = 0; i < 24; i++)
        {
            var donation = await AddDonationAsync($"donor{i}@example.org", amountPence: 1_000 + i, status: DonationStatus.Pending);
            payments.Add(new CardPayment(donation.Id, donation.ChargedPence));
        }

        var deliveries = payments.SelectMany(p => Enumerable.Repeat(p.Completed(), 2)).OrderBy(_ => Random.Shared.Next()).ToArray();
        using var client = App.CreateClient();
        using var server = Fixture.StartJobServer("wiring");

        // Delivered at once, they are applied in batches, whose receipts are enqueued together after their commits.
        await Task.WhenAll(deliveries.Select(payload => WebhookSender.DeliverAsync(client, payload)));

        await Eventually(async () => (await ReceiptsAsync()).Count == 24 && Smtp.Messages.Count == 24, "24 receipts and their emails");
        var receipts = await ReceiptsAsync();
        Assert.Equal(payments.Select(p => p.DonationId).Order(), receipts.Select(r => r.DonationId).Order());
        var serials = receipts.Select(r => int.Parse(r.Number.Split('-')[^1], CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(serials[0], 24), serials);
        Assert.Equal(24, Smtp.Messages.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
    }

    [Fact]
    public async Task Duplicate_confirmation_webhooks_issue_one_receipt_and_one_email()
    {
        var donation = await AddDonationAsync(status: DonationStatus.Pending);
        var payment = new CardPayment(donation.Id, donation.ChargedPence);
        var completed = payment.Completed();
        var client = App.CreateClient();
        using var server = Fixture.StartJobServer("wiring");

        await WebhookSender.DeliverAsync(client, completed);
        await WebhookSender.DeliverAsync(client, completed);
        await WebhookSender.DeliverAsync(client, payment.ChargeSucceeded());

        await Eventually(async () => Smtp.Messages.Count == 1, "the receipt email");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(await ReceiptsAsync());
        Assert.Single(Smtp.Messages);
    }

    [Fact]
    public async Task Refund_webhook_gets_the_donor_a_credit_note_for_that_refund()
    {
        var donation = await AddDonationAsync(status: DonationStatus.Pending);
        var payment = new CardPayment(donation.Id, donation.ChargedPence);
        var client = App.CreateClient();
        using var server = Fixture.StartJobServer("wiring");

        await WebhookSender.DeliverAsync(client, payment.Completed());
        var (refundId, refunded) = payment.Refund(1_000);
        await WebhookSender.DeliverAsync(client, refunded);

        await Eventually(async () => (await ReceiptsAsync()).Count == 2, "the receipt and the credit note");
        var creditNote = Assert.Single(await ReceiptsAsync(), r => r.Kind == ReceiptKind.CreditNote);
        Assert.Equal(refundId, creditNote.RefundKey);
        Assert.Equal(1_000, creditNote.AmountPence);
    }

    [Fact]
    public async Task Paid_donations_whose_receipt_was_never_enqueued_are_found_and_issued()
    {
        // Paid in 2017 with no receipt: as if the process had died between the webhook's commit and the enqueue.
        var donation = await AddDonationAsync();
        using var server = Fixture.StartJobServer("wiring");

        await RunAsync<IssueMissingReceiptsJob>(job => job.RunAsync(CancellationToken.None));

        await Eventually(async () => (await ReceiptsAsync()).Count == 1, "the missed receipt");
        Assert.Equal(donation.Id, Assert.Single(await ReceiptsAsync()).DonationId);
    }

    [Fact]
    public async Task Safety_net_leaves_donations_imported_with_no_receipt_owed_alone_and_their_refunds_too()
    {
        var imported = await AddDonationAsync(receiptNotOwed: true);
        var owed = await AddDonationAsync(email: "sam@example.org");
        await App.WithDbAsync(db =>
        {
            db.LedgerEntries.Add(new LedgerEntry
            {
                DisputeId = Dispute.Id, BranchId = Burton.Id, Kind = LedgerEntryKind.Refund, AmountPence = -1_000,
                Key = $"refund:re_imported:{Burton.Id}", DonationId = imported.Id, StripeObjectId = "re_imported",
                OccurredAt = PaidAt, RecordedAt = PaidAt,
            });
            return db.SaveChangesAsync();
        });

        // Asked for all the same (a refund made in Stripe's dashboard enqueues its note), it issues nothing and does not fail.
        await RunAsync<IssueCreditNoteJob>(job => job.RunAsync(imported.Id, "re_imported", CancellationToken.None));
        Assert.Empty(await ReceiptsAsync());

        await RunAsync<IssueMissingReceiptsJob>(job => job.RunAsync(CancellationToken.None));

        var enqueued = App.Services.GetRequiredService<JobStorage>().GetMonitoringApi().Queues()
            .SelectMany(queue => queue.FirstJobs)
            .Select(job => job.Value.Job)
            .ToList();
        var receipt = Assert.Single(enqueued);
        Assert.Equal(nameof(IssueReceiptJob), receipt.Type.Name);
        Assert.Equal(owed.Id, receipt.Args[0]);
    }

    [Fact]
    public async Task Safety_net_sends_again_the_email_of_a_receipt_whose_retries_ran_out_and_only_that()
    {
        var gaveUp = await AddDonationAsync(email: "sam@example.org");
        var retrying = await AddDonationAsync(email: "kim@example.org");
        var erased = await AddDonationAsync(email: "lee@example.org");
        foreach (var donation in new[] { gaveUp, retrying, erased })
        {
            await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));
        }

        var receipts = (await ReceiptsAsync()).ToDictionary(r => r.DonationId, r => r.Id);
        var now = DateTimeOffset.UtcNow;
        await App.WithDbAsync(async db =>
        {
            // A mail server down for a day: every attempt failed, the last of one a short while ago (its retries go on).
            foreach (var (donationId, lastTried) in new[] { (gaveUp.Id, now.AddDays(-1)), (retrying.Id, now.AddHours(-1)), (erased.Id, now.AddDays(-1)) })
            {
                var key = SendReceiptEmailJob.DeliveryKey(receipts[donationId]);
                await db.EmailDeliveries.Where(d => d.Key == key).ExecuteUpdateAsync(d => d
                    .SetProperty(x => x.Attempts, 12).SetProperty(x => x.LastAttemptAt, lastTried).SetProperty(x => x.LastError, "Connection refused"));
            }

            await db.Donations.Where(d => d.Id == erased.Id).ExecuteUpdateAsync(d => d.SetProperty(x => x.Email, (string?)null));
        });
        var before = EmailJobs();

        await RunAsync<IssueMissingReceiptsJob>(job => job.RunAsync(CancellationToken.None));

        var added = EmailJobs().GroupBy(id => id).Select(g => (g.Key, g.Count() - before.Count(id => id == g.Key))).Where(g => g.Item2 > 0).ToList();
        Assert.Equal([(receipts[gaveUp.Id], 1)], added);
    }

    /// <summary>The receipt of every email job waiting in any queue, once per job.</summary>
    private List<Guid> EmailJobs()
    {
        var monitoring = App.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        return monitoring.Queues()
            .SelectMany(queue => monitoring.EnqueuedJobs(queue.Name, 0, 1_000))
            .Select(job => job.Value.Job)
            .Where(job => job.Type == typeof(SendReceiptEmailJob))
            .Select(job => (Guid)job.Args[0])
            .ToList();
    }

    [Fact]
    public async Task Thank_you_page_offers_the_receipt_to_the_browser_that_made_the_donation_only()
    {
        var donation = await AddDonationAsync();
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));
        var receiptNumber = Assert.Single(await ReceiptsAsync()).Number;
        var thankYou = $"/donations/{donation.Id}/thank-you";

        var donorBrowser = App.CreateClient();
        donorBrowser.DefaultRequestHeaders.Add("Cookie", DonorCookie(donation.Id));
        var donorPage = await donorBrowser.GetStringAsync(thankYou);
        Assert.Contains($"/donations/{donation.Id}/receipt", donorPage, StringComparison.Ordinal);
        Assert.Contains(receiptNumber, donorPage, StringComparison.Ordinal);
        using var pdf = await donorBrowser.GetAsync($"/donations/{donation.Id}/receipt");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);

        var someoneElse = await App.CreateClient().GetStringAsync(thankYou);
        Assert.DoesNotContain($"/donations/{donation.Id}/receipt", someoneElse, StringComparison.Ordinal);
        Assert.DoesNotContain(receiptNumber, someoneElse, StringComparison.Ordinal);
    }

    /// <summary>The cookie the donate page sets when it sends the supporter to pay.</summary>
    private string DonorCookie(Guid donationId)
    {
        var http = new DefaultHttpContext();
        App.Services.GetRequiredService<DonorBrowser>().Remember(http, donationId);
        var setCookie = http.Response.Headers.SetCookie.ToString();
        return setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];
    }
}
