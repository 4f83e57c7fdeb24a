using System.Net;
using System.Text.RegularExpressions;
using Hangfire;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Solidarity.Core.Disputes;
using Solidarity.Core.Donations;
using Solidarity.Core.Email;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Tests.Receipts;
using Solidarity.Web.Pages.Admin;
using Solidarity.Web.Pages.Donations.Monthly;

namespace Solidarity.Tests.Donations.Monthly;

/// <summary>
/// Monthly gifts stop when their dispute ends: real Hangfire servers pause them at Stripe (the loopback stand-in) and tell
/// each giver, who may move the gift to another dispute within 30 days; after that the daily job cancels it.
/// </summary>
public sealed partial class MonthlyDisputeEndTests(JobsSiteFixture fixture) : ReceiptsTest(fixture)
{
    private const string SecretKey = "sk_test_monthly_stand_in";

    [Fact]
    public async Task A_dispute_ending_pauses_each_monthly_gift_once_with_two_workers_and_a_moved_gift_goes_on_for_the_new_dispute()
    {
        await using var stripe = await StripeStandIn.StartAsync();
        await using var site = WithStripe(stripe);
        var (next, nextBranch) = await AddDisputeAsync("heywood-strike", DisputeStatus.TakingAction);
        var (suspended, _) = await AddDisputeAsync("suspended-strike", DisputeStatus.TakingAction);
        var gifts = new List<MonthlySubscription>();
        for (var i = 0; i < 3; i++)
        {
            gifts.Add(await StartGiftAsync(site, stripe, Dispute.Id, Dispute.Slug, $"giver{i}@example.org"));
        }

        var keepsGoing = await StartGiftAsync(site, stripe, suspended, "suspended-strike", "steady@example.org");

        await SetStatusAsync(suspended, DisputeStatus.Suspended);
        await SetStatusAsync(Dispute.Id, DisputeStatus.Won);
        await using (var scope = site.Services.CreateAsyncScope())
        {
            var scheduler = scope.ServiceProvider.GetRequiredService<MonthlyGiftScheduler>();
            scheduler.DisputeStatusChanged(suspended, DisputeStatus.TakingAction, DisputeStatus.Suspended);

            // The end announced twice (a second admin saving the same status, a retried request), and the daily safety net besides.
            scheduler.DisputeStatusChanged(Dispute.Id, DisputeStatus.TakingAction, DisputeStatus.Won);
            scheduler.DisputeStatusChanged(Dispute.Id, DisputeStatus.TakingAction, DisputeStatus.Won);
            scope.ServiceProvider.GetRequiredService<IBackgroundJobClient>()
                .Enqueue<EndUnmovedMonthlyGiftsJob>(job => job.RunAsync(CancellationToken.None));
        }

        using (var server1 = Fixture.StartJobServer("monthly-end-1", services: site.Services))
        using (var server2 = Fixture.StartJobServer("monthly-end-2", services: site.Services))
        {
            await Eventually(
                () => App.WithDbAsync(db => db.MonthlyGiftNotices.CountAsync(n => n.SentAt != null)).ContinueWith(t => t.Result == 3),
                "every giver to be told");
            await Eventually(() => Task.FromResult(Smtp.Messages.Count(m => (m.Subject ?? "").Contains("has ended", StringComparison.Ordinal)) >= 3), "the notices");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        var notices = Smtp.Messages.Where(m => (m.Subject ?? "").Contains("has ended", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, notices.Count);
        Assert.Equal(
            gifts.Select((_, i) => $"giver{i}@example.org").Order(StringComparer.Ordinal),
            notices.Select(m => m.To.Mailboxes.Single().Address).Order(StringComparer.Ordinal));
        foreach (var gift in gifts)
        {
            var pauses = stripe.Requests.Where(r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{gift.SubscriptionId}").ToList();
            var pause = Assert.Single(pauses);
            Assert.Equal("void", pause.Form["pause_collection[behavior]"]);
            Assert.Equal($"monthly-pause:{gift.GiftId}:{Dispute.Id}", pause.IdempotencyKey);
            Assert.Equal("void", stripe.Subscriptions[gift.SubscriptionId].PauseBehavior);
            Assert.Equal(MonthlyGiftStatus.Paused, await StatusAsync(gift.GiftId));
        }

        Assert.DoesNotContain(stripe.Requests, r => r.Path.EndsWith(keepsGoing.SubscriptionId, StringComparison.Ordinal) && r.Method != "GET");
        Assert.Equal(MonthlyGiftStatus.Active, await StatusAsync(keepsGoing.GiftId));
        Assert.Equal(3, await App.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == AuditActions.MonthlyPaused)));
        Assert.Equal(0, await App.WithDbAsync(db => db.MonthlyTotals.Where(t => t.DisputeId == Dispute.Id).Select(t => t.Givers).SingleAsync()));

        // The first giver moves the gift to a dispute still going, from the link in the notice.
        var moved = gifts[0];
        var link = new Uri(ManageLink().Match(notices.Single(m => m.To.Mailboxes.Single().Address == "giver0@example.org").TextBody ?? "").Value).AbsolutePath;
        using var browser = site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.NotNull((await browser.GetPageAsync(link)).QuerySelector("#move-link"));
        var choices = await browser.GetPageAsync(link + "/move");
        Assert.NotNull(choices.QuerySelector($"#dispute-{next}"));
        Assert.Null(choices.QuerySelector($"#dispute-{Dispute.Id}"));
        Assert.Equal(MonthlyGiftStatus.Paused, await StatusAsync(moved.GiftId));

        var pausedAt = await App.WithDbAsync(db => db.MonthlyGifts.Where(g => g.Id == moved.GiftId).Select(g => g.PausedAt).SingleAsync());
        using var response = await browser.PostFormAsync(link + "/move", new Dictionary<string, string> { ["DisputeId"] = next.ToString() });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var resume = stripe.Requests.Last(r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{moved.SubscriptionId}");
        Assert.Equal("", resume.Form["pause_collection"]);
        Assert.Equal(next.ToString(), resume.Form["metadata[dispute_id]"]);

        // Keyed to the pause it moves the gift out of: tried again after a new pause, it is a new request at Stripe.
        Assert.Equal($"monthly-move:{moved.GiftId}:{next}:{pausedAt!.Value.ToUnixTimeMilliseconds()}", resume.IdempotencyKey);
        Assert.Null(stripe.Subscriptions[moved.SubscriptionId].PauseBehavior);
        var record = await App.WithDbAsync(db => db.MonthlyGifts.AsNoTracking().SingleAsync(g => g.Id == moved.GiftId));
        Assert.Equal((MonthlyGiftStatus.Active, next, (Guid?)Dispute.Id), (record.Status, record.DisputeId, record.MovedFromDisputeId));

        moved.Metadata["dispute_id"] = next.ToString();
        moved.Metadata["dispute"] = "heywood-strike";
        ServePayment(stripe, moved, 2);
        await WebhookSender.DeliverAsync(site.CreateClient(), moved.Paid(2));

        var second = await App.WithDbAsync(db => db.Donations.AsNoTracking().Include(d => d.Allocations)
            .SingleAsync(d => d.StripeInvoiceId == moved.Invoice(2).Id));
        Assert.Equal(next, second.DisputeId);
        Assert.Equal((nextBranch, 1_000L), (Assert.Single(second.Allocations).BranchId, second.Allocations[0].AmountPence));
        Assert.Equal(1, await App.WithDbAsync(db => db.MonthlyTotals.Where(t => t.DisputeId == next).Select(t => t.Givers).SingleAsync()));
    }

    /// <summary>
    /// A month paid while the first dispute ran, whose invoice.paid Stripe delivers only after the giver moved the gift (the
    /// site was down, or could not reach Stripe, and Stripe retried): the money is the first dispute's, not the new one's.
    /// </summary>
    [Fact]
    public async Task A_month_paid_before_the_gift_was_moved_but_reported_after_goes_to_the_dispute_it_was_paid_for()
    {
        await using var stripe = await StripeStandIn.StartAsync();
        await using var site = WithStripe(stripe);
        var (next, _) = await AddDisputeAsync("heywood-strike", DisputeStatus.TakingAction);
        var gift = new MonthlySubscription(
            await MonthlySubscription.PendingGiftAsync(App, Dispute.Id, 1_000, email: "late@example.org"), 1_000, Dispute.Id, Dispute.Slug,
            DateTimeOffset.UtcNow.AddDays(-40));
        stripe.AddSubscription(gift.SubscriptionId, gift.CustomerId, gift.Metadata.ToDictionary(kv => kv.Key, kv => (string)kv.Value!));
        ServePayment(stripe, gift, 1);
        ServePayment(stripe, gift, 2);
        using var client = site.CreateClient();
        await WebhookSender.DeliverAsync(client, gift.Completed());
        await WebhookSender.DeliverAsync(client, gift.Paid(1));

        // The second month is paid ten days ago; the dispute then ends, and the giver moves the gift today.
        await SetStatusAsync(Dispute.Id, DisputeStatus.Won);
        await App.WithDbAsync(db => db.MonthlyGifts.Where(g => g.Id == gift.GiftId).ExecuteUpdateAsync(g => g
            .SetProperty(x => x.MovedFromDisputeId, Dispute.Id).SetProperty(x => x.MovedAt, DateTimeOffset.UtcNow)
            .SetProperty(x => x.DisputeId, next).SetProperty(x => x.ChosenBranchId, (Guid?)null)));
        await WebhookSender.DeliverAsync(client, gift.Paid(2));

        var late = await App.WithDbAsync(db => db.Donations.AsNoTracking().Include(d => d.Allocations)
            .SingleAsync(d => d.StripeInvoiceId == gift.Invoice(2).Id));
        Assert.Equal(Dispute.Id, late.DisputeId);
        var firstDisputesBranches = await App.WithDbAsync(db => db.BeneficiaryBranches.Where(b => b.DisputeId == Dispute.Id).Select(b => b.BranchId).ToListAsync());
        Assert.All(late.Allocations, a => Assert.Contains(a.BranchId, firstDisputesBranches));
        Assert.Equal(1_000, late.Allocations.Sum(a => a.AmountPence));
    }

    /// <summary>The giver closes the tab once Stripe has cancelled: the site still records the cancellation, and its audit entry.</summary>
    [Fact]
    public async Task A_cancellation_Stripe_made_is_recorded_even_when_the_request_that_asked_for_it_ends()
    {
        await using var stripe = await StripeStandIn.StartAsync();
        await using var site = WithStripe(stripe);
        var gift = await StartGiftAsync(site, stripe, Dispute.Id, Dispute.Slug, "leaving@example.org");
        using var request = new CancellationTokenSource();
        stripe.On("DELETE", $"/v1/subscriptions/{gift.SubscriptionId}", _ =>
        {
            request.Cancel();
            return new StripeAnswer(200, gift.SubscriptionObject("canceled", canceledAt: DateTimeOffset.UtcNow).ToJsonString());
        });

        await using (var scope = site.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<MonthlyGiftCancellation>()
                .CancelAsync(gift.GiftId, MonthlyGiftCancellation.GiverActor, AuditActions.MonthlyCancelled, request.Token));
        }

        Assert.Equal(MonthlyGiftStatus.Cancelled, await StatusAsync(gift.GiftId));
        Assert.Equal(1, await App.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == AuditActions.MonthlyCancelled)));
    }

    /// <summary>
    /// A pause stops new invoices only: this month's, declined and being retried, and next month's, which Stripe drafts
    /// about an hour before it charges it, would still be charged after the dispute ended. The draft is finalised without
    /// collection, then both are voided; last month's, paid, is left as it is.
    /// </summary>
    [Fact]
    public async Task A_gift_paused_for_its_disputes_end_has_its_open_and_draft_invoices_voided_so_none_charges_it_afterwards()
    {
        await using var stripe = await StripeStandIn.StartAsync();
        await using var site = WithStripe(stripe);
        var gift = await StartGiftAsync(site, stripe, Dispute.Id, Dispute.Slug, "retrying@example.org");
        var invoices = stripe.Subscriptions[gift.SubscriptionId].Invoices;
        invoices["in_declined_this_month"] = "open";
        invoices["in_renewal_drafted"] = "draft";
        invoices["in_paid_last_month"] = "paid";

        await ChangeStatusAsync(site, DisputeStatus.TakingAction, DisputeStatus.Won, () => SentAsync("has ended", 1));

        Assert.Equal(MonthlyGiftStatus.Paused, await StatusAsync(gift.GiftId));
        Assert.Equal("void", invoices["in_declined_this_month"]);
        Assert.Equal("void", invoices["in_renewal_drafted"]);
        Assert.Equal("paid", invoices["in_paid_last_month"]);
        var voided = Assert.Single(stripe.Requests, r => r.Method == "POST" && r.Path == "/v1/invoices/in_declined_this_month/void");
        Assert.Equal($"monthly-pause:{gift.GiftId}:{Dispute.Id}:void:in_declined_this_month", voided.IdempotencyKey);
        var finalised = Assert.Single(stripe.Requests, r => r.Method == "POST" && r.Path == "/v1/invoices/in_renewal_drafted/finalize");
        Assert.Equal("false", finalised.Form["auto_advance"]);
        Assert.Equal($"monthly-pause:{gift.GiftId}:{Dispute.Id}:finalize:in_renewal_drafted", finalised.IdempotencyKey);
        Assert.Single(stripe.Requests, r => r.Method == "POST" && r.Path == "/v1/invoices/in_renewal_drafted/void");
    }

    [Fact]
    public async Task A_gift_paused_for_thirty_days_without_being_moved_is_cancelled_at_Stripe_by_the_daily_job()
    {
        await using var stripe = await StripeStandIn.StartAsync();
        await using var site = WithStripe(stripe);
        var old = await StartGiftAsync(site, stripe, Dispute.Id, Dispute.Slug, "old@example.org");
        var recent = await StartGiftAsync(site, stripe, Dispute.Id, Dispute.Slug, "recent@example.org");

        var now = DateTimeOffset.UtcNow;
        var dashboard = await StartGiftAsync(site, stripe, Dispute.Id, Dispute.Slug, "dashboard@example.org");
        await SetStatusAsync(Dispute.Id, DisputeStatus.Lost);
        await PauseAsync(old.GiftId, now.AddDays(-31));
        await PauseAsync(recent.GiftId, now.AddDays(-10));

        // Paused from Stripe's dashboard long ago, not by the end of the dispute: not the daily job's to cancel.
        await App.WithDbAsync(db => db.MonthlyGifts.Where(g => g.Id == dashboard.GiftId).ExecuteUpdateAsync(g => g
            .SetProperty(x => x.Status, MonthlyGiftStatus.Paused).SetProperty(x => x.PausedAt, now.AddDays(-40))));

        await using (var scope = site.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<EndUnmovedMonthlyGiftsJob>().RunAsync(CancellationToken.None);
        }

        var cancel = Assert.Single(stripe.Requests, r => r.Method == "DELETE");
        Assert.Equal($"/v1/subscriptions/{old.SubscriptionId}", cancel.Path);
        Assert.Equal(MonthlyGiftStatus.Cancelled, await StatusAsync(old.GiftId));
        Assert.Equal(MonthlyGiftStatus.Paused, await StatusAsync(recent.GiftId));
        Assert.Equal(MonthlyGiftStatus.Paused, await StatusAsync(dashboard.GiftId));
        var audit = await App.WithDbAsync(db => db.AuditEntries.AsNoTracking().SingleAsync(a => a.Action == AuditActions.MonthlyCancelledUnmoved));
        Assert.Equal(old.GiftId.ToString(), audit.SubjectId);
    }

    [Fact]
    public async Task A_gift_Stripe_will_not_cancel_holds_back_no_other_and_the_job_fails_to_be_retried()
    {
        await using var stripe = await StripeStandIn.StartAsync();
        await using var site = WithStripe(stripe);
        var refused = await StartGiftAsync(site, stripe, Dispute.Id, Dispute.Slug, "refused@example.org");
        var next = await StartGiftAsync(site, stripe, Dispute.Id, Dispute.Slug, "next@example.org");
        stripe.On("DELETE", $"/v1/subscriptions/{refused.SubscriptionId}", _ => new StripeAnswer(
            400, """{"error":{"type":"invalid_request_error","code":"parameter_invalid","message":"Refused"}}"""));
        await SetStatusAsync(Dispute.Id, DisputeStatus.Lost);
        await PauseAsync(refused.GiftId, DateTimeOffset.UtcNow.AddDays(-32));
        await PauseAsync(next.GiftId, DateTimeOffset.UtcNow.AddDays(-31));

        await using var scope = site.Services.CreateAsyncScope();
        await Assert.ThrowsAsync<AggregateException>(() => scope.ServiceProvider.GetRequiredService<EndUnmovedMonthlyGiftsJob>().RunAsync(CancellationToken.None));

        Assert.Equal(MonthlyGiftStatus.Paused, await StatusAsync(refused.GiftId));
        Assert.Equal(MonthlyGiftStatus.Cancelled, await StatusAsync(next.GiftId));
    }

    [Fact]
    public async Task The_gifts_of_a_dispute_an_admin_reopened_are_never_cancelled_as_unmoved()
    {
        await using var stripe = await StripeStandIn.StartAsync();
        await using var site = WithStripe(stripe);
        var gift = await StartGiftAsync(site, stripe, Dispute.Id, Dispute.Slug, "kept@example.org");
        await PauseAsync(gift.GiftId, DateTimeOffset.UtcNow.AddDays(-31));

        // The dispute was marked won, its gifts paused; then an admin set it back to taking action.
        await SetStatusAsync(Dispute.Id, DisputeStatus.TakingAction);
        await using (var scope = site.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<EndUnmovedMonthlyGiftsJob>().RunAsync(CancellationToken.None);
        }

        Assert.DoesNotContain(stripe.Requests, r => r.Method == "DELETE");
        Assert.Equal(MonthlyGiftStatus.Paused, await StatusAsync(gift.GiftId));
    }

    [Fact]
    public async Task Reopening_a_dispute_resumes_the_gifts_its_end_paused_and_ending_it_again_pauses_them_again()
    {
        await using var stripe = await StripeStandIn.StartAsync();
        await using var site = WithStripe(stripe);
        var gift = await StartGiftAsync(site, stripe, Dispute.Id, Dispute.Slug, "comeback@example.org");
        var gone = await StartGiftAsync(site, stripe, Dispute.Id, Dispute.Slug, "gone@example.org");
        await ChangeStatusAsync(site, DisputeStatus.TakingAction, DisputeStatus.Won, () => SentAsync("has ended", 2));

        // One giver cancels from the notice's link; the other waits.
        await App.WithDbAsync(db => db.MonthlyGifts.Where(g => g.Id == gone.GiftId)
            .ExecuteUpdateAsync(g => g.SetProperty(x => x.Status, MonthlyGiftStatus.Cancelled)));

        await ChangeStatusAsync(site, DisputeStatus.Won, DisputeStatus.TakingAction, () => SentAsync("is going again", 1));

        Assert.Equal(MonthlyGiftStatus.Active, await StatusAsync(gift.GiftId));
        Assert.Equal(MonthlyGiftStatus.Cancelled, await StatusAsync(gone.GiftId));
        var resume = stripe.Requests.Last(r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{gift.SubscriptionId}");
        Assert.Equal("", resume.Form["pause_collection"]);
        Assert.Equal(Dispute.Id.ToString(), resume.Form["metadata[dispute_id]"]);
        Assert.Equal($"monthly-resume:{gift.GiftId}:{Dispute.Id}:1", resume.IdempotencyKey);
        Assert.Null(stripe.Subscriptions[gift.SubscriptionId].PauseBehavior);
        Assert.Single(stripe.Requests, r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{gone.SubscriptionId}");
        var resumed = Assert.Single(Smtp.Messages, m => (m.Subject ?? "").Contains("is going again", StringComparison.Ordinal));
        Assert.Equal("comeback@example.org", resumed.To.Mailboxes.Single().Address);
        Assert.Contains("/monthly/manage/", resumed.TextBody, StringComparison.Ordinal);
        Assert.Equal(1, await App.WithDbAsync(db => db.MonthlyTotals.Where(t => t.DisputeId == Dispute.Id).Select(t => t.Givers).SingleAsync()));
        Assert.Equal(1, await App.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == AuditActions.MonthlyResumed)));

        // The dispute ends a second time: the gift is paused, and its giver told, once more.
        await ChangeStatusAsync(site, DisputeStatus.TakingAction, DisputeStatus.Lost, () => SentAsync("has ended", 3));

        Assert.Equal(MonthlyGiftStatus.Paused, await StatusAsync(gift.GiftId));
        var pause = stripe.Requests.Last(r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{gift.SubscriptionId}");
        Assert.Equal(("void", $"monthly-pause:{gift.GiftId}:{Dispute.Id}:2"), (pause.Form["pause_collection[behavior]"], pause.IdempotencyKey));
        Assert.Equal(2, Smtp.Messages.Count(m => (m.Subject ?? "").Contains("has ended", StringComparison.Ordinal) && m.To.Mailboxes.Single().Address == "comeback@example.org"));

        // Reopened again with no job enqueued (say, a status written by hand): the daily job resumes the gift.
        await SetStatusAsync(Dispute.Id, DisputeStatus.TakingAction);
        await using (var scope = site.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<IBackgroundJobClient>().Enqueue<EndUnmovedMonthlyGiftsJob>(job => job.RunAsync(CancellationToken.None));
        }

        using (Fixture.StartJobServer("monthly-reopen-daily", services: site.Services))
        {
            await Eventually(() => SentAsync("is going again", 2), "the second resumption's email");
        }

        Assert.Equal(MonthlyGiftStatus.Active, await StatusAsync(gift.GiftId));
        Assert.Equal($"monthly-resume:{gift.GiftId}:{Dispute.Id}:2", stripe.Requests.Last(r => r.Method == "POST" && r.Path == $"/v1/subscriptions/{gift.SubscriptionId}").IdempotencyKey);

        // Every email of the gift's two rounds has its delivery row under the keys an erasure and an export look for.
        var keys = await App.WithDbAsync(db => db.EmailDeliveries.Where(d => d.Key.Contains(gift.GiftId.ToString())).Select(d => d.Key).ToListAsync());
        Assert.Equal(
            MonthlyNoticeKeys.DeliveriesOf(gift.GiftId, Dispute.Id, 2, resumed: true).Select(d => d.Key).Order(StringComparer.Ordinal),
            keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_gift_whose_checkout_was_open_when_its_dispute_ended_is_paused_once_its_first_payment_is_in()
    {
        await using var stripe = await StripeStandIn.StartAsync();
        await using var site = WithStripe(stripe);
        await SetStatusAsync(Dispute.Id, DisputeStatus.Settled);

        var late = await StartGiftAsync(site, stripe, Dispute.Id, Dispute.Slug, "late@example.org");

        using (Fixture.StartJobServer("monthly-late", services: site.Services))
        {
            await Eventually(() => SentAsync("has ended", 1), "the late giver to be told");
        }

        Assert.Equal(MonthlyGiftStatus.Paused, await StatusAsync(late.GiftId));
        Assert.Equal("void", stripe.Subscriptions[late.SubscriptionId].PauseBehavior);
        Assert.Equal(1_000, await App.WithDbAsync(db => db.Donations.Where(d => d.MonthlyGiftId == late.GiftId).SumAsync(d => d.AmountPence)));
    }

    [Fact]
    public async Task A_gift_Stripe_announces_before_its_checkout_completes_is_paused_if_its_dispute_has_ended()
    {
        await SetStatusAsync(Dispute.Id, DisputeStatus.Settled);
        var gift = new MonthlySubscription(await MonthlySubscription.PendingGiftAsync(App, Dispute.Id, 1_000), 1_000, Dispute.Id, Dispute.Slug);

        await WebhookSender.DeliverAsync(App.CreateClient(), gift.Updated(DateTimeOffset.UtcNow));

        Assert.Equal(MonthlyGiftStatus.Active, await StatusAsync(gift.GiftId));
        Assert.True(IsEnqueuedFor<PauseMonthlyGiftsJob>(Dispute.Id), "PauseMonthlyGiftsJob enqueued for the dispute");
    }

    [Fact]
    public async Task A_paused_gift_Stripe_says_collects_again_for_an_ended_dispute_is_paused_again()
    {
        // Paused by the dispute's end; then collection resumed at Stripe (from its dashboard, or by a reopening whose job
        // never finished) while the dispute is still over.
        await SetStatusAsync(Dispute.Id, DisputeStatus.Won);
        var gift = new MonthlySubscription(await MonthlySubscription.PendingGiftAsync(App, Dispute.Id, 1_000), 1_000, Dispute.Id, Dispute.Slug);
        await App.WithDbAsync(db => db.MonthlyGifts.Where(g => g.Id == gift.GiftId).ExecuteUpdateAsync(g => g
            .SetProperty(x => x.Status, MonthlyGiftStatus.Paused).SetProperty(x => x.PausedAt, DateTimeOffset.UtcNow.AddDays(-1))
            .SetProperty(x => x.StripeSubscriptionId, gift.SubscriptionId)));

        await WebhookSender.DeliverAsync(App.CreateClient(), gift.Updated(DateTimeOffset.UtcNow));

        Assert.Equal(MonthlyGiftStatus.Active, await StatusAsync(gift.GiftId));
        Assert.True(IsEnqueuedFor<PauseMonthlyGiftsJob>(Dispute.Id), "PauseMonthlyGiftsJob enqueued for the dispute");
    }

    [Fact]
    public async Task A_resumption_Stripe_confirmed_by_webhook_before_the_job_committed_is_recorded_and_told_on_the_retry()
    {
        var gift = await GiftWithNoticeAsync(MonthlyGiftStatus.Active, pausedAt: DateTimeOffset.UtcNow.AddDays(-2));

        await RunAsync<ResumeMonthlyGiftJob>(job => job.RunAsync(gift, Dispute.Id, CancellationToken.None));

        Assert.NotNull(await App.WithDbAsync(db => db.MonthlyGiftNotices.Where(n => n.MonthlyGiftId == gift).Select(n => n.ResumedAt).SingleAsync()));
        Assert.Single(Smtp.Messages, m => (m.Subject ?? "").Contains("is going again", StringComparison.Ordinal));

        // Ending the dispute again now pauses the gift again, in a round of its own.
        await SetStatusAsync(Dispute.Id, DisputeStatus.Lost);
        await RunAsync<PauseMonthlyGiftsJob>(job => job.RunAsync(Dispute.Id, CancellationToken.None));
        await RunAsync<PauseMonthlyGiftJob>(job => job.RunAsync(gift, Dispute.Id, CancellationToken.None));

        Assert.Equal(MonthlyGiftStatus.Paused, await StatusAsync(gift));
        Assert.True(await App.WithDbAsync(db => db.EmailDeliveries.AnyAsync(d => d.Key == MonthlyNoticeKeys.Paused(gift, Dispute.Id, 2) && d.SentAt != null)));
    }

    [Fact]
    public async Task A_gift_collecting_again_for_an_ended_dispute_whose_notice_says_paused_is_paused_in_a_new_round()
    {
        // Paused when the dispute ended, moved away, and moved back once the dispute was going again; now it has ended again.
        var gift = await GiftWithNoticeAsync(MonthlyGiftStatus.Active, pausedAt: DateTimeOffset.UtcNow.AddDays(-40));
        await SetStatusAsync(Dispute.Id, DisputeStatus.Won);

        await RunAsync<PauseMonthlyGiftsJob>(job => job.RunAsync(Dispute.Id, CancellationToken.None));
        await RunAsync<PauseMonthlyGiftJob>(job => job.RunAsync(gift, Dispute.Id, CancellationToken.None));

        Assert.Equal(MonthlyGiftStatus.Paused, await StatusAsync(gift));
        Assert.Equal(2, await App.WithDbAsync(db => db.MonthlyGiftNotices.Where(n => n.MonthlyGiftId == gift).Select(n => n.Round).SingleAsync()));
        Assert.Single(Smtp.Messages, m => (m.Subject ?? "").Contains("has ended", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pause_Stripe_confirmed_by_webhook_before_the_job_committed_is_recorded_and_told_on_the_retry()
    {
        var gift = await GiftWithNoticeAsync(MonthlyGiftStatus.Paused, pausedAt: null);
        await SetStatusAsync(Dispute.Id, DisputeStatus.Won);

        await RunAsync<PauseMonthlyGiftJob>(job => job.RunAsync(gift, Dispute.Id, CancellationToken.None));

        Assert.NotNull(await App.WithDbAsync(db => db.MonthlyGiftNotices.Where(n => n.MonthlyGiftId == gift).Select(n => n.PausedAt).SingleAsync()));
        Assert.Single(Smtp.Messages, m => (m.Subject ?? "").Contains("has ended", StringComparison.Ordinal));

        // So a reopening finds it, and resumes it.
        await SetStatusAsync(Dispute.Id, DisputeStatus.TakingAction);
        await RunAsync<ResumeMonthlyGiftJob>(job => job.RunAsync(gift, Dispute.Id, CancellationToken.None));
        Assert.Equal(MonthlyGiftStatus.Active, await StatusAsync(gift));
    }

    [Fact]
    public async Task A_pause_Stripe_made_for_a_run_that_never_committed_is_undone_when_the_dispute_was_reopened_meanwhile()
    {
        // The run paused the gift at Stripe (and Stripe's event said so), then died; an admin reopened the dispute before the retry.
        var gift = await GiftWithNoticeAsync(MonthlyGiftStatus.Paused, pausedAt: null);

        await RunAsync<PauseMonthlyGiftJob>(job => job.RunAsync(gift, Dispute.Id, CancellationToken.None));

        Assert.NotNull(await App.WithDbAsync(db => db.MonthlyGiftNotices.Where(n => n.MonthlyGiftId == gift).Select(n => n.PausedAt).SingleAsync()));
        Assert.DoesNotContain(Smtp.Messages, m => (m.Subject ?? "").Contains("has ended", StringComparison.Ordinal));
        Assert.True(IsEnqueuedFor<ResumeMonthlyGiftsJob>(Dispute.Id), "ResumeMonthlyGiftsJob enqueued for the dispute");

        await RunAsync<ResumeMonthlyGiftsJob>(job => job.RunAsync(Dispute.Id, CancellationToken.None));
        await RunAsync<ResumeMonthlyGiftJob>(job => job.RunAsync(gift, Dispute.Id, CancellationToken.None));
        Assert.Equal(MonthlyGiftStatus.Active, await StatusAsync(gift));
    }

    [Fact]
    public async Task The_move_window_runs_from_the_end_of_the_dispute_not_from_an_older_pause()
    {
        // Paused once long ago (a card's retries ran out) and collecting again; the dispute's pause reached Stripe, whose
        // event, applied before the run committed, kept that old date.
        var gift = await GiftWithNoticeAsync(MonthlyGiftStatus.Paused, pausedAt: null);
        var longAgo = DateTimeOffset.UtcNow.AddDays(-90);
        await App.WithDbAsync(db => db.MonthlyGifts.Where(g => g.Id == gift).ExecuteUpdateAsync(g => g.SetProperty(x => x.PausedAt, longAgo)));
        await SetStatusAsync(Dispute.Id, DisputeStatus.Won);

        await RunAsync<PauseMonthlyGiftJob>(job => job.RunAsync(gift, Dispute.Id, CancellationToken.None));

        var pausedAt = await App.WithDbAsync(db => db.MonthlyGifts.Where(g => g.Id == gift).Select(g => g.PausedAt).SingleAsync());
        Assert.True(pausedAt > DateTimeOffset.UtcNow.AddHours(-1), $"paused at {pausedAt}");
        await RunAsync<EndUnmovedMonthlyGiftsJob>(job => job.RunAsync(CancellationToken.None));
        Assert.Equal(MonthlyGiftStatus.Paused, await StatusAsync(gift));
    }

    [Fact]
    public async Task A_dispute_reopened_while_a_gift_was_being_paused_has_the_gift_resumed()
    {
        var gift = await GiftWithNoticeAsync(MonthlyGiftStatus.Active, pausedAt: null, subscription: "sub_reopened_meanwhile");
        await SetStatusAsync(Dispute.Id, DisputeStatus.Won);
        await using var site = App.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.AddScoped<ISubscriptionGateway>(_ => new ReopenedWhilePausing(App, Dispute.Id))));

        await using (var scope = site.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PauseMonthlyGiftJob>().RunAsync(gift, Dispute.Id, CancellationToken.None);
        }

        Assert.Equal(MonthlyGiftStatus.Paused, await StatusAsync(gift));
        using (Fixture.StartJobServer("monthly-reopened-meanwhile", services: site.Services))
        {
            await Eventually(
                async () => await StatusAsync(gift) == MonthlyGiftStatus.Active && Smtp.Messages.Any(m => (m.Subject ?? "").Contains("is going again", StringComparison.Ordinal)),
                "the gift to be resumed");
        }
    }

    /// <summary>
    /// The giver moves the gift to a dispute an admin ends at that moment: the new dispute's pause job may have listed its
    /// gifts before this one arrived, and the gift must be paused with them, not charged until the daily job finds it.
    /// </summary>
    [Fact]
    public async Task A_gift_moved_to_a_dispute_that_ends_as_it_moves_is_paused_with_that_disputes_gifts()
    {
        var gift = await GiftWithNoticeAsync(MonthlyGiftStatus.Paused, pausedAt: DateTimeOffset.UtcNow, subscription: "sub_moved_as_it_ends");
        await SetStatusAsync(Dispute.Id, DisputeStatus.Won);
        var (next, _) = await AddDisputeAsync("heywood-strike", DisputeStatus.TakingAction);
        await using var site = App.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.AddScoped<ISubscriptionGateway>(_ => new EndedWhileMoving(App, next))));

        await using (var scope = site.Services.CreateAsyncScope())
        {
            var links = scope.ServiceProvider.GetRequiredService<MonthlyGiftLinks>();
            var token = links.Create(gift);
            await scope.ServiceProvider.GetRequiredService<Solidarity.Core.Data.SolidarityDbContext>().SaveChangesAsync();
            var view = await links.FindAsync(token, CancellationToken.None);
            Assert.Equal(
                MonthlyGiftMove.Outcome.Moved,
                await scope.ServiceProvider.GetRequiredService<MonthlyGiftMove>().MoveAsync(view!, next, "giver", CancellationToken.None));
        }

        using (Fixture.StartJobServer("monthly-moved-as-it-ends", services: site.Services))
        {
            await Eventually(
                () => App.WithDbAsync(db => db.MonthlyGifts.AnyAsync(g => g.Id == gift && g.DisputeId == next && g.Status == MonthlyGiftStatus.Paused)),
                "the moved gift to be paused with the new dispute's gifts");
        }
    }

    /// <summary>Stripe resumes the subscription for the new dispute, and meanwhile an admin ends that dispute.</summary>
    private sealed class EndedWhileMoving(SolidarityApp app, Guid disputeId) : ISubscriptionGateway
    {
        public Task CancelAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task PauseAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ResumeAsync(
            string subscriptionId, IReadOnlyDictionary<string, string> metadata, string idempotencyKey, CancellationToken cancellationToken) =>
            app.WithDbAsync(db => db.Disputes.Where(d => d.Id == disputeId)
                .ExecuteUpdateAsync(d => d.SetProperty(x => x.Status, DisputeStatus.Won), cancellationToken));
    }

    /// <summary>Stripe pauses the subscription, and meanwhile an admin reopens the dispute.</summary>
    private sealed class ReopenedWhilePausing(SolidarityApp app, Guid disputeId) : ISubscriptionGateway
    {
        public Task CancelAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task PauseAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken) =>
            app.WithDbAsync(db => db.Disputes.Where(d => d.Id == disputeId)
                .ExecuteUpdateAsync(d => d.SetProperty(x => x.Status, DisputeStatus.TakingAction), cancellationToken));

        public Task ResumeAsync(
            string subscriptionId, IReadOnlyDictionary<string, string> metadata, string idempotencyKey, CancellationToken cancellationToken) =>
            Task.CompletedTask;
    }

    /// <summary>A monthly gift to the dispute in <paramref name="status"/>, with the notice of a first round paused <paramref name="pausedAt"/>.</summary>
    private async Task<Guid> GiftWithNoticeAsync(MonthlyGiftStatus status, DateTimeOffset? pausedAt, string? subscription = null)
    {
        var gift = new MonthlyGift
        {
            DisputeId = Dispute.Id, AmountPence = 1_000, Email = "round@example.org", Status = status, StripeSubscriptionId = subscription,
            CreatedAt = DateTimeOffset.UtcNow.AddDays(-60), UpdatedAt = DateTimeOffset.UtcNow, PausedAt = status == MonthlyGiftStatus.Paused ? DateTimeOffset.UtcNow : null,
        };
        await App.WithDbAsync(db =>
        {
            db.MonthlyGifts.Add(gift);
            db.MonthlyGiftNotices.Add(new MonthlyGiftNotice
            {
                MonthlyGiftId = gift.Id, DisputeId = Dispute.Id, CreatedAt = DateTimeOffset.UtcNow.AddDays(-3), PausedAt = pausedAt, SentAt = pausedAt,
            });
            if (pausedAt is not null)
            {
                db.EmailDeliveries.Add(new EmailDelivery { Key = MonthlyNoticeKeys.Paused(gift.Id, Dispute.Id, 1), CreatedAt = pausedAt.Value, SentAt = pausedAt });
            }

            return db.SaveChangesAsync();
        });
        return gift.Id;
    }

    [Fact]
    public async Task A_dispute_reopened_before_its_pauses_ran_pauses_no_gift()
    {
        var gift = new MonthlyGift
        {
            DisputeId = Dispute.Id, AmountPence = 1_000, Email = "early@example.org", Status = MonthlyGiftStatus.Active,
            CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        };
        await App.WithDbAsync(db =>
        {
            db.MonthlyGifts.Add(gift);
            db.MonthlyGiftNotices.Add(new MonthlyGiftNotice { MonthlyGiftId = gift.Id, DisputeId = Dispute.Id, CreatedAt = DateTimeOffset.UtcNow });
            return db.SaveChangesAsync();
        });

        // Ended, its pauses enqueued, then reopened before a worker reached them.
        await using (var scope = App.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<PauseMonthlyGiftJob>().RunAsync(gift.Id, Dispute.Id, CancellationToken.None);
        }

        Assert.Equal(MonthlyGiftStatus.Active, await StatusAsync(gift.Id));
        Assert.False(await App.WithDbAsync(db => db.EmailDeliveries.AnyAsync()));
    }

    /// <summary>Whether a job of <typeparamref name="TJob"/> waits in the queue for <paramref name="disputeId"/>.</summary>
    private bool IsEnqueuedFor<TJob>(Guid disputeId) =>
        App.Services.GetRequiredService<JobStorage>().GetMonitoringApi().EnqueuedJobs("default", 0, 100)
            .Any(j => j.Value.Job.Type == typeof(TJob) && Equals(j.Value.Job.Args[0], disputeId));

    /// <summary>An admin changes the dispute's status; the jobs that follow run on a real server until <paramref name="done"/>.</summary>
    private async Task ChangeStatusAsync(WebApplicationFactory<Program> site, DisputeStatus before, DisputeStatus after, Func<Task<bool>> done)
    {
        await SetStatusAsync(Dispute.Id, after);
        await using (var scope = site.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<MonthlyGiftScheduler>().DisputeStatusChanged(Dispute.Id, before, after);
        }

        using (Fixture.StartJobServer($"monthly-{after}", services: site.Services))
        {
            await Eventually(done, $"the jobs of the dispute's move to {after}");
        }
    }

    private Task<bool> SentAsync(string subject, int count) =>
        Task.FromResult(Smtp.Messages.Count(m => (m.Subject ?? "").Contains(subject, StringComparison.Ordinal)) >= count);

    [Fact]
    public async Task A_gift_its_giver_cancels_while_Stripe_is_asked_to_pause_it_is_not_told_it_was_paused()
    {
        var gift = new MonthlyGift
        {
            DisputeId = Dispute.Id, AmountPence = 1_000, Email = "racer@example.org", StripeSubscriptionId = "sub_cancelled_meanwhile",
            Status = MonthlyGiftStatus.Active, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        };
        await App.WithDbAsync(db =>
        {
            db.MonthlyGifts.Add(gift);
            db.MonthlyGiftNotices.Add(new MonthlyGiftNotice { MonthlyGiftId = gift.Id, DisputeId = Dispute.Id, CreatedAt = DateTimeOffset.UtcNow });
            return db.SaveChangesAsync();
        });
        await SetStatusAsync(Dispute.Id, DisputeStatus.Won);
        await using var site = App.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.AddScoped<ISubscriptionGateway>(_ => new CancelledWhilePausing(App, gift.Id))));

        await using (var scope = site.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PauseMonthlyGiftJob>().RunAsync(gift.Id, Dispute.Id, CancellationToken.None);
        }

        Assert.Equal(MonthlyGiftStatus.Cancelled, await StatusAsync(gift.Id));
        Assert.Null(await App.WithDbAsync(db => db.MonthlyGiftNotices.Where(n => n.MonthlyGiftId == gift.Id).Select(n => n.PausedAt).SingleAsync()));
        Assert.False(await App.WithDbAsync(db => db.EmailDeliveries.AnyAsync(d => d.Key == MonthlyNoticeKeys.Paused(gift.Id, Dispute.Id, 1))));
        Assert.False(await App.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == AuditActions.MonthlyPaused)));
        Assert.DoesNotContain(Smtp.Messages, m => (m.Subject ?? "").Contains("has ended", StringComparison.Ordinal));
    }

    /// <summary>Stripe pauses the subscription, and meanwhile the giver cancels the gift from their link.</summary>
    private sealed class CancelledWhilePausing(SolidarityApp app, Guid giftId) : ISubscriptionGateway
    {
        public Task CancelAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task PauseAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken) =>
            app.WithDbAsync(db => db.MonthlyGifts.Where(g => g.Id == giftId).ExecuteUpdateAsync(g => g
                .SetProperty(x => x.Status, MonthlyGiftStatus.Cancelled).SetProperty(x => x.CancelledAt, DateTimeOffset.UtcNow), cancellationToken));

        public Task ResumeAsync(
            string subscriptionId, IReadOnlyDictionary<string, string> metadata, string idempotencyKey, CancellationToken cancellationToken) =>
            Task.CompletedTask;
    }

    /// <summary>The gifts this test started (<see cref="StartGiftAsync"/>), by subscription, as the stand-in serves them.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, MonthlySubscription> _started = new();

    /// <summary>A site on the stand-in, which answers for each gift's subscription as the site's calls left it.</summary>
    private WebApplicationFactory<Program> WithStripe(StripeStandIn stripe)
    {
        stripe.ServeSubscriptions(s => _started[s.Id].Render(s));
        return App.WithWebHostBuilder(b =>
        {
            b.UseSetting("Stripe:SecretKey", SecretKey);
            b.UseSetting("Stripe:ApiBase", stripe.BaseUrl);
        });
    }

    /// <summary>A monthly gift of £10 whose subscription Checkout started and whose first month was paid.</summary>
    private async Task<MonthlySubscription> StartGiftAsync(
        WebApplicationFactory<Program> site, StripeStandIn stripe, Guid disputeId, string slug, string email)
    {
        var gift = new MonthlySubscription(
            await MonthlySubscription.PendingGiftAsync(App, disputeId, 1_000, email: email), 1_000, disputeId, slug, DateTimeOffset.UtcNow.AddDays(-20));
        stripe.AddSubscription(gift.SubscriptionId, gift.CustomerId, gift.Metadata.ToDictionary(kv => kv.Key, kv => (string)kv.Value!));
        _started[gift.SubscriptionId] = gift;

        ServePayment(stripe, gift, 1);
        using var client = site.CreateClient();
        await WebhookSender.DeliverAsync(client, gift.Completed());
        await WebhookSender.DeliverAsync(client, gift.Paid(1));
        return gift;
    }

    /// <summary>The month's payment intent and its charge, for the site to look up when the invoice is paid.</summary>
    private static void ServePayment(StripeStandIn stripe, MonthlySubscription gift, int month)
    {
        var invoice = gift.Invoice(month);
        var charge = StripePayloads.Charge(null, invoice.ChargeId, invoice.PaymentIntentId, gift.ChargedPence);
        var intent = StripePayloads.PaymentIntent(Guid.Empty, invoice.PaymentIntentId, gift.ChargedPence, charge);
        stripe.On("GET", $"/v1/payment_intents/{invoice.PaymentIntentId}", _ => new StripeAnswer(200, intent.ToJsonString()));
    }

    private async Task<(Guid Dispute, Guid Branch)> AddDisputeAsync(string slug, DisputeStatus status)
    {
        var union = new Union { Name = "Union of " + slug };
        var branch = new Branch { Code = slug[..4].ToUpperInvariant(), Name = slug + " branch", Union = union, PostalAddress = "3 Test Street", ContactName = "C. Secretary" };
        var dispute = new Dispute
        {
            Slug = slug, Title = "The " + slug, Employer = "Employer", Union = union, Summary = "s", Body = "b", IsPublished = true, Status = status,
        };
        dispute.Beneficiaries.Add(new BeneficiaryBranch { Branch = branch, ShareBasisPoints = 10_000 });
        await App.WithDbAsync(db =>
        {
            db.AddRange(union, branch, dispute);
            return db.SaveChangesAsync();
        });
        return (dispute.Id, branch.Id);
    }

    [Fact]
    public void A_pause_or_resumption_queued_by_an_earlier_version_still_finds_its_job()
    {
        // What Hangfire stored for these jobs before they shared their outline: the job's own type, the method's name and
        // its parameters. The method is now declared on the base class, and the stored job must still run as before.
        foreach (var type in new[] { typeof(PauseMonthlyGiftJob), typeof(ResumeMonthlyGiftJob) })
        {
            var stored = new Hangfire.Storage.InvocationData(
                type.AssemblyQualifiedName, "RunAsync", Hangfire.Common.SerializationHelper.Serialize(new[] { typeof(Guid), typeof(Guid), typeof(CancellationToken) }),
                Hangfire.Common.SerializationHelper.Serialize(new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), "null" }));

            var job = stored.DeserializeJob();

            Assert.Equal(type, job.Type);
            Assert.Equal(typeof(MonthlyNoticeJob), job.Method.DeclaringType);
        }
    }

    private Task<int> SetStatusAsync(Guid disputeId, DisputeStatus status) =>
        App.WithDbAsync(db => db.Disputes.Where(d => d.Id == disputeId).ExecuteUpdateAsync(d => d.SetProperty(x => x.Status, status)));

    /// <summary>The gift as the end of its dispute left it <paramref name="pausedAt"/>: paused, with its notice.</summary>
    private Task PauseAsync(Guid giftId, DateTimeOffset pausedAt) => App.WithDbAsync(async db =>
    {
        var gift = await db.MonthlyGifts.SingleAsync(g => g.Id == giftId);
        (gift.Status, gift.PausedAt) = (MonthlyGiftStatus.Paused, pausedAt);
        db.MonthlyGiftNotices.Add(new MonthlyGiftNotice { MonthlyGiftId = giftId, DisputeId = gift.DisputeId, CreatedAt = pausedAt, PausedAt = pausedAt, SentAt = pausedAt });
        await db.SaveChangesAsync();
    });

    private Task<MonthlyGiftStatus> StatusAsync(Guid giftId) =>
        App.WithDbAsync(db => db.MonthlyGifts.Where(g => g.Id == giftId).Select(g => g.Status).SingleAsync());

    [GeneratedRegex(@"http://\S+/monthly/manage/[A-Za-z0-9_-]+")]
    private static partial Regex ManageLink();
}
