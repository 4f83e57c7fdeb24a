using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Solidarity.Core.Disputes;
using Solidarity.Core.Donations;
using Solidarity.Core.Receipts;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Tests.Receipts;
using Solidarity.Web.Pages.Admin;
using Solidarity.Web.Pages.Donations.Monthly;

namespace Solidarity.Tests.Donations.Monthly;

/// <summary>A monthly gift from its first payment to its end, with real Hangfire servers issuing and emailing the receipts.</summary>
public sealed partial class MonthlyGivingJourneyTests(JobsSiteFixture fixture) : ReceiptsTest(fixture)
{
    [Fact]
    public async Task A_monthly_gift_paid_for_three_months_is_receipted_each_month_and_the_giver_cancels_it_from_the_emailed_link()
    {
        var giftId = await MonthlySubscription.PendingGiftAsync(App, Dispute.Id, 1_000, email: "jo@example.org");
        var stripe = new MonthlySubscription(giftId, 1_000, Dispute.Id, Dispute.Slug, DateTimeOffset.UtcNow.AddMonths(-2).AddHours(-1));
        using var webhooks = App.CreateClient();
        using var server = Fixture.StartJobServer("monthly-journey");

        await WebhookSender.DeliverAsync(webhooks, stripe.Completed());
        foreach (var month in new[] { 1, 2, 3 })
        {
            await WebhookSender.DeliverAsync(webhooks, stripe.Paid(month));
        }

        await Eventually(
            () => App.WithDbAsync(db => db.EmailDeliveries.CountAsync(d => d.SentAt != null)).ContinueWith(t => t.Result == 3),
            "three receipts to be emailed");
        var receipts = await ReceiptsAsync();
        Assert.Equal(3, receipts.Select(r => r.DonationId).Distinct().Count());
        Assert.All(receipts, r => Assert.Equal((ReceiptKind.Receipt, 1_000L), (r.Kind, r.AmountPence)));
        Assert.Equal(3, Smtp.Messages.Count);
        var links = Smtp.Messages.Select(ManageLinkIn).ToList();
        Assert.All(links, link => Assert.StartsWith(JobsSiteApp.BaseUrl + MonthlyGiftLinks.PathPrefix, link, StringComparison.Ordinal));
        Assert.Equal(3, links.Distinct().Count());

        using var browser = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var latest = new Uri(links[^1]).AbsolutePath;
        var page = await browser.GetPageAsync(latest);
        Assert.Equal("Active", page.QuerySelector("#monthly-gift")?.GetAttribute("data-status"));
        Assert.Contains("£10.00 a month", page.QuerySelector("#monthly-gift")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(Dispute.Title, page.QuerySelector("#monthly-gift")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("#monthly-next"));

        var confirmation = await browser.GetPageAsync(latest + "/cancel");
        Assert.NotNull(confirmation.QuerySelector("#confirm-cancel"));
        Assert.Equal(MonthlyGiftStatus.Active, await StatusAsync(giftId));

        using var cancelled = await browser.PostFormAsync(latest + "/cancel", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Redirect, cancelled.StatusCode);
        Assert.Equal(latest, cancelled.Headers.Location?.OriginalString);
        Assert.Equal(MonthlyGiftStatus.Cancelled, await StatusAsync(giftId));
        var audit = await App.WithDbAsync(db => db.AuditEntries.AsNoTracking().SingleAsync(a => a.Action == AuditActions.MonthlyCancelled));
        Assert.Equal((giftId.ToString(), MonthlyGiftCancellation.GiverActor, (Guid?)null), (audit.SubjectId, audit.UserName, audit.UserId));
        Assert.Equal(0, await App.WithDbAsync(db => db.MonthlyTotals.Select(t => t.Givers).SingleAsync()));

        // An older month's link shows the gift as it is now, and offers nothing more to do.
        var older = await browser.GetPageAsync(new Uri(links[0]).AbsolutePath);
        Assert.Equal("Cancelled", older.QuerySelector("#monthly-gift")?.GetAttribute("data-status"));
        Assert.Null(older.QuerySelector("#cancel-link"));
        Assert.Equal(3, await App.WithDbAsync(db => db.Donations.CountAsync(d => d.MonthlyGiftId == giftId && d.Status == DonationStatus.Paid)));
    }

    [Fact]
    public async Task Refund_of_a_monthly_payment_gets_a_credit_note_against_that_month_s_receipt()
    {
        var giftId = await MonthlySubscription.PendingGiftAsync(App, Dispute.Id, 2_000, email: "jo@example.org");
        var stripe = new MonthlySubscription(giftId, 2_000, Dispute.Id, Dispute.Slug, DateTimeOffset.UtcNow.AddMonths(-1).AddHours(-1));
        using var webhooks = App.CreateClient();
        using var server = Fixture.StartJobServer("monthly-refund");
        await WebhookSender.DeliverAsync(webhooks, stripe.Paid(1));
        await WebhookSender.DeliverAsync(webhooks, stripe.Paid(2));
        await Eventually(() => ReceiptsAsync().ContinueWith(t => t.Result.Count == 2), "both months' receipts");

        await WebhookSender.DeliverAsync(webhooks, stripe.Refunded(2, "re_test_monthly_refund", 500));

        await Eventually(() => ReceiptsAsync().ContinueWith(t => t.Result.Any(r => r.Kind == ReceiptKind.CreditNote)), "the credit note");
        var receipts = await ReceiptsAsync();
        var creditNote = receipts.Single(r => r.Kind == ReceiptKind.CreditNote);
        var refunded = await App.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync(d => d.StripeInvoiceId == stripe.Invoice(2).Id));
        Assert.Equal(receipts.Single(r => r.Kind == ReceiptKind.Receipt && r.DonationId == refunded.Id).Id, creditNote.OriginalReceiptId);
        Assert.Equal(("re_test_monthly_refund", 500L), (creditNote.RefundKey, creditNote.AmountPence));
    }

    [Fact]
    public async Task A_gift_paused_while_its_dispute_goes_on_is_not_said_to_be_paused_for_the_end_and_the_thank_you_page_tells_each_state()
    {
        var giftId = await MonthlySubscription.PendingGiftAsync(App, Dispute.Id, 1_000, email: "jo@example.org");
        await SetStatusAsync(giftId, MonthlyGiftStatus.Paused);
        var token = await LinkAsync(giftId);

        using var browser = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var manage = await browser.GetPageAsync(MonthlyGiftLinks.PathFor(token));
        var paused = await browser.GetPageAsync($"/monthly/{giftId}/thank-you");
        await SetStatusAsync(giftId, MonthlyGiftStatus.Cancelled);
        var cancelled = await browser.GetPageAsync($"/monthly/{giftId}/thank-you");

        var status = manage.QuerySelector("#monthly-status")!.TextContent;
        Assert.Contains("though the dispute is still going", status, StringComparison.Ordinal);
        Assert.DoesNotContain("the dispute has ended", status, StringComparison.Ordinal);
        Assert.Contains("is paused", paused.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("is cancelled", cancelled.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("confirmed", cancelled.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gift_paused_at_Stripe_before_its_dispute_ended_is_offered_no_move_and_cannot_be_moved()
    {
        var giftId = await MonthlySubscription.PendingGiftAsync(App, Dispute.Id, 1_000, email: "jo@example.org");
        await App.WithDbAsync(db => db.MonthlyGifts.Where(g => g.Id == giftId).ExecuteUpdateAsync(g => g
            .SetProperty(x => x.Status, MonthlyGiftStatus.Paused).SetProperty(x => x.PausedAt, DateTimeOffset.UtcNow.AddDays(-2))));
        await App.WithDbAsync(db => db.Disputes.Where(d => d.Id == Dispute.Id).ExecuteUpdateAsync(d => d.SetProperty(x => x.Status, DisputeStatus.Won)));
        var token = await LinkAsync(giftId);

        using var browser = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var manage = await browser.GetPageAsync(MonthlyGiftLinks.PathFor(token));
        using var move = await browser.GetAsync(MonthlyGiftLinks.PathFor(token) + "/move");

        // Paused by Stripe (its card's retries ran out) or from its dashboard, with no notice of the end: the daily job
        // never cancels it as unmoved, so the page must not say it will be, nor offer a move that would undo that pause.
        Assert.Null(manage.QuerySelector("#move-offer"));
        Assert.Null(manage.QuerySelector("#move-link"));
        Assert.Equal(HttpStatusCode.Redirect, move.StatusCode);
        Assert.Equal(MonthlyGiftStatus.Paused, await StatusAsync(giftId));
    }

    /// <summary>A new link to the gift's page, as an email carries.</summary>
    private async Task<string> LinkAsync(Guid giftId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var token = scope.ServiceProvider.GetRequiredService<MonthlyGiftLinks>().Create(giftId);
        await scope.ServiceProvider.GetRequiredService<Solidarity.Core.Data.SolidarityDbContext>().SaveChangesAsync();
        return token;
    }

    private Task<int> SetStatusAsync(Guid giftId, MonthlyGiftStatus status) =>
        App.WithDbAsync(db => db.MonthlyGifts.Where(g => g.Id == giftId).ExecuteUpdateAsync(g => g.SetProperty(x => x.Status, status)));

    private Task<MonthlyGiftStatus> StatusAsync(Guid giftId) =>
        App.WithDbAsync(db => db.MonthlyGifts.Where(g => g.Id == giftId).Select(g => g.Status).SingleAsync());

    private static string ManageLinkIn(MimeMessage message) => ManageLink().Match(message.TextBody ?? "").Value;

    [GeneratedRegex(@"http://\S+/monthly/manage/[A-Za-z0-9_-]+")]
    private static partial Regex ManageLink();
}
