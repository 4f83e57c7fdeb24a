using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Testing;
using Solidarity.Web.Pages.Admin.Donors;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Tests.Ledger;

namespace Solidarity.Tests.Donations.Monthly;

/// <summary>Monthly gifts as Stripe's webhooks report them: subscriptions started by Checkout, and an invoice a month.</summary>
public sealed class MonthlyWebhookTests(SiteFixture fixture) : SiteTest(fixture)
{
    private MoneyScenario _scenario = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _scenario = await MoneyScenario.SeedAsync(App);
    }

    private async Task<MonthlySubscription> NewGiftAsync(long pence = 1_000, Guid? chosenBranch = null, string email = "monthly@example.org") =>
        new(await MonthlySubscription.PendingGiftAsync(App, _scenario.DisputeId, pence, chosenBranch, email), pence, _scenario.DisputeId, "argos-warehouse-strike");

    private Task<List<Donation>> DonationsAsync() =>
        App.WithDbAsync(db => db.Donations.AsNoTracking().Include(d => d.Allocations).OrderBy(d => d.PaidAt).ToListAsync());

    private Task<MonthlyGift> GiftAsync(Guid id) => App.WithDbAsync(db => db.MonthlyGifts.AsNoTracking().SingleAsync(g => g.Id == id));

    [Fact]
    public async Task Completed_subscription_checkout_starts_the_gift_and_posts_no_money_of_its_own()
    {
        var stripe = await NewGiftAsync();
        using var client = App.CreateClient();

        Assert.Equal("applied", await WebhookSender.DeliverAsync(client, stripe.Completed()));

        var gift = await GiftAsync(stripe.GiftId);
        Assert.Equal((MonthlyGiftStatus.Active, stripe.SubscriptionId, stripe.CustomerId), (gift.Status, gift.StripeSubscriptionId, gift.StripeCustomerId));
        Assert.Empty(await DonationsAsync());
        Assert.Empty(await MoneyScenario.EntriesAsync(App));
        var total = await App.WithDbAsync(db => db.MonthlyTotals.AsNoTracking().SingleAsync());
        Assert.Equal((_scenario.DisputeId, 1, 1_000L), (total.DisputeId, total.Givers, total.MonthlyPence));
    }

    /// <summary>
    /// The amount is given once three people give monthly: with one it would be that giver's own, and with two each would
    /// learn the other's, beside a name shown on the supporters page without its amount.
    /// </summary>
    [Fact]
    public async Task The_dispute_page_says_how_many_people_give_monthly_and_how_much_once_three_do_from_its_summary_row()
    {
        var gifts = new[] { await NewGiftAsync(1_000), await NewGiftAsync(550, email: "another@example.org"), await NewGiftAsync(2_000, email: "third@example.org") };
        using var client = App.CreateClient();
        var said = new List<string?>();
        foreach (var gift in gifts)
        {
            await WebhookSender.DeliverAsync(client, gift.Completed());
            await WebhookSender.DeliverAsync(client, gift.Paid(1));
            var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await client.GetStringAsync(new Uri("/disputes/argos-warehouse-strike", UriKind.Relative)));
            said.Add(page.QuerySelector("#monthly-givers")?.TextContent.Trim());
        }

        Assert.Equal(["1 person gives monthly", "2 people give monthly", "3 people give £35.50 a month"], said);
    }

    [Fact]
    public async Task Many_monthly_payments_to_one_dispute_at_once_are_each_applied_first_time()
    {
        // Renewals come in bursts: each month's payments to a dispute post to the same branches at the same moment.
        var gifts = new List<MonthlySubscription>();
        using var client = App.CreateClient();
        for (var i = 0; i < 16; i++)
        {
            var gift = await NewGiftAsync(1_000 + i, email: $"giver{i}@example.org");
            await WebhookSender.DeliverAsync(client, gift.Completed());
            gifts.Add(gift);
        }

        using var start = new SemaphoreSlim(0);
        var deliveries = gifts.Select(async gift =>
        {
            await start.WaitAsync();
            using var response = await WebhookSender.SendAsync(client, gift.Paid(1));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }).ToList();
        start.Release(gifts.Count);
        var answers = await Task.WhenAll(deliveries);

        Assert.All(answers, answer => Assert.Equal((200, "applied"), answer));
        Assert.Equal(16, (await DonationsAsync()).Count);
    }

    [Fact]
    public async Task An_earlier_months_invoice_delivered_late_leaves_the_next_payment_date_where_the_later_one_put_it()
    {
        var stripe = await NewGiftAsync();
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, stripe.Completed());
        await WebhookSender.DeliverAsync(client, stripe.Paid(2));

        Assert.Equal("applied", await WebhookSender.DeliverAsync(client, stripe.Paid(1)));

        Assert.Equal(stripe.Invoice(2).PeriodStart.AddMonths(1).ToUnixTimeSeconds(), (await GiftAsync(stripe.GiftId)).NextPaymentAt?.ToUnixTimeSeconds());
        Assert.Equal(2, (await DonationsAsync()).Count);
    }

    [Fact]
    public async Task Each_paid_invoice_becomes_one_card_donation_split_by_the_shares_when_it_is_paid()
    {
        var stripe = await NewGiftAsync(1_001);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, stripe.Completed());
        await WebhookSender.DeliverAsync(client, stripe.Paid(1));
        await App.WithDbAsync(db => db.BeneficiaryBranches.Where(b => b.DisputeId == _scenario.DisputeId)
            .ExecuteUpdateAsync(b => b.SetProperty(x => x.ShareBasisPoints, x => x.BranchId == _scenario.Burton ? 2_000 : 8_000)));

        await WebhookSender.DeliverAsync(client, stripe.Paid(2));

        var donations = await DonationsAsync();
        Assert.Equal(2, donations.Count);
        Assert.All(donations, d => Assert.Equal(
            (DonationMethod.Card, DonationStatus.Paid, stripe.GiftId, 1_001L, "Jo Monthly"), (d.Method, d.Status, d.MonthlyGiftId, d.ChargedPence, d.DonorName)));
        Assert.Equal([stripe.Invoice(1).Id, stripe.Invoice(2).Id], donations.Select(d => d.StripeInvoiceId));
        Assert.Equal([stripe.Invoice(1).PaymentIntentId, stripe.Invoice(2).PaymentIntentId], donations.Select(d => d.StripePaymentIntentId));
        Assert.Equal((601L, 400L), Split(donations[0]));
        Assert.Equal((200L, 801L), Split(donations[1]));
        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.All(entries, e => Assert.Equal(LedgerEntryKind.DonationReceived, e.Kind));
        Assert.Equal(2_002, entries.Sum(e => e.AmountPence));
        Assert.Equal(stripe.Invoice(2).PeriodStart.AddMonths(1).ToUnixTimeSeconds(), (await GiftAsync(stripe.GiftId)).NextPaymentAt?.ToUnixTimeSeconds());
        await MoneyScenario.AssertTotalsMatchEntriesAsync(App);
    }

    private (long Burton, long Lutterworth) Split(Donation donation) =>
        (donation.Allocations.Single(a => a.BranchId == _scenario.Burton).AmountPence,
            donation.Allocations.Single(a => a.BranchId == _scenario.Lutterworth).AmountPence);

    [Fact]
    public async Task A_gift_to_one_branch_gives_each_month_to_that_branch()
    {
        var stripe = await NewGiftAsync(2_000, _scenario.Lutterworth);
        using var client = App.CreateClient();

        await WebhookSender.DeliverAsync(client, stripe.Paid(1));

        var allocation = Assert.Single(Assert.Single(await DonationsAsync()).Allocations);
        Assert.Equal((_scenario.Lutterworth, 2_000L), (allocation.BranchId, allocation.AmountPence));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Duplicate_and_shuffled_invoice_events_with_the_completed_session_leave_one_donation_each(int seed)
    {
        var stripe = await NewGiftAsync(1_500);
        var events = new List<string> { stripe.Completed(), stripe.Completed() };
        foreach (var month in new[] { 1, 2, 3 })
        {
            var paid = stripe.Paid(month);
            // The same event delivered twice, and the same invoice's payment reported again under another event id.
            events.AddRange([paid, paid, stripe.Paid(month, eventId: StripePayloads.NewId("evt"))]);
        }

        var shuffled = events.ToArray();
        new Random(seed).Shuffle(shuffled);
        using var client = App.CreateClient();

        foreach (var payload in shuffled)
        {
            await WebhookSender.DeliverAsync(client, payload);
        }

        var donations = await DonationsAsync();
        Assert.Equal(3, donations.Count);
        Assert.Equal(
            new[] { 1, 2, 3 }.Select(m => stripe.Invoice(m).Id).Order(StringComparer.Ordinal),
            donations.Select(d => d.StripeInvoiceId!).Order(StringComparer.Ordinal));
        Assert.Equal(4_500, (await MoneyScenario.EntriesAsync(App)).Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
        var gift = await GiftAsync(stripe.GiftId);
        Assert.Equal((MonthlyGiftStatus.Active, stripe.SubscriptionId), (gift.Status, gift.StripeSubscriptionId));
        await MoneyScenario.AssertTotalsMatchEntriesAsync(App);
    }

    [Fact]
    public async Task Concurrent_deliveries_of_one_invoice_under_different_event_ids_make_one_donation()
    {
        var stripe = await NewGiftAsync(1_200);
        using var client = App.CreateClient();

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => WebhookSender.DeliverAsync(client, stripe.Paid(1, eventId: StripePayloads.NewId("evt")))));

        Assert.Single(await DonationsAsync());
        Assert.Equal(1_200, (await MoneyScenario.EntriesAsync(App)).Sum(e => e.AmountPence));
    }

    [Fact]
    public async Task Invoice_for_another_amount_posts_nothing_and_is_listed_as_a_mismatch()
    {
        var stripe = await NewGiftAsync(1_000);
        var other = new MonthlySubscription(stripe.GiftId, 9_999, _scenario.DisputeId, "argos-warehouse-strike");
        using var client = App.CreateClient();

        Assert.Equal("amount-mismatch", await WebhookSender.DeliverAsync(client, other.Paid(1)));

        Assert.Empty(await DonationsAsync());
        Assert.Empty(await MoneyScenario.EntriesAsync(App));
    }

    [Fact]
    public async Task A_failed_payment_delivered_after_the_retry_that_paid_it_is_recorded_closed_and_not_shown_as_failing()
    {
        var stripe = await NewGiftAsync(1_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, stripe.Completed());
        await WebhookSender.DeliverAsync(client, stripe.Paid(1));

        // The failure's first delivery was refused (a database hiccup); Stripe's retry of the payment succeeded, and the
        // failure is delivered again hours later.
        await WebhookSender.DeliverAsync(client, stripe.Paid(2));
        await WebhookSender.DeliverAsync(client, stripe.Failed(2, 1, stripe.Invoice(2).PeriodStart.AddDays(3)));

        var failure = await App.WithDbAsync(db => db.MonthlyPaymentFailures.AsNoTracking().SingleAsync());
        Assert.NotNull(failure.PaidAt);
        Assert.Null(failure.NextAttemptAt);
        var (admin, _) = await SignIn.AsAdminAsync(App, "treasurer@example.org");
        var page = await admin.GetPageAsync("/admin/monthly");
        Assert.NotNull(page.QuerySelector("#no-failed-payments"));
    }

    [Fact]
    public async Task A_failed_payment_of_a_gift_cancelled_since_shows_no_next_attempt()
    {
        var stripe = await NewGiftAsync(1_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, stripe.Completed());
        await WebhookSender.DeliverAsync(client, stripe.Paid(1));
        var failedAt = stripe.Invoice(2).PeriodStart.AddDays(1);
        await WebhookSender.DeliverAsync(client, stripe.Failed(2, 1, failedAt));

        // Cancelled (by the giver, or by Stripe once its retries ran out): Stripe collects nothing more for it.
        await WebhookSender.DeliverAsync(client, stripe.Deleted(failedAt.AddHours(1)));

        var (admin, _) = await SignIn.AsAdminAsync(App, "treasurer@example.org");
        var page = await admin.GetPageAsync("/admin/monthly");
        var row = Assert.Single(page.QuerySelectorAll("#failed-payments tbody tr"));
        Assert.Equal("None: the gift is cancelled", row.QuerySelector(".next-attempt")!.TextContent.Trim());
    }

    [Fact]
    public async Task Failed_payment_is_recorded_shown_to_admins_and_closed_when_a_retry_pays_it()
    {
        var stripe = await NewGiftAsync(1_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, stripe.Completed());
        await WebhookSender.DeliverAsync(client, stripe.Paid(1));
        var retry = stripe.Invoice(2).PeriodStart.AddDays(3);

        await WebhookSender.DeliverAsync(client, stripe.Failed(2, 1, stripe.Invoice(2).PeriodStart.AddDays(1)));
        await WebhookSender.DeliverAsync(client, stripe.Failed(2, 2, retry));

        var failure = await App.WithDbAsync(db => db.MonthlyPaymentFailures.AsNoTracking().SingleAsync());
        Assert.Equal((stripe.Invoice(2).Id, stripe.GiftId, 2, (DateTimeOffset?)null), (failure.StripeInvoiceId, failure.MonthlyGiftId, failure.Attempts, failure.PaidAt));
        Assert.Equal(retry.ToUnixTimeSeconds(), failure.NextAttemptAt?.ToUnixTimeSeconds());
        Assert.Single(await DonationsAsync());
        var (admin, _) = await SignIn.AsAdminAsync(App, "treasurer@example.org");
        var page = await admin.GetPageAsync("/admin/monthly");
        var row = Assert.Single(page.QuerySelectorAll("#failed-payments tbody tr"));
        Assert.Contains(stripe.Invoice(2).Id, row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Jo Monthly", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("£10.00", row.TextContent, StringComparison.Ordinal);

        await WebhookSender.DeliverAsync(client, stripe.Paid(2));

        Assert.NotNull((await App.WithDbAsync(db => db.MonthlyPaymentFailures.AsNoTracking().SingleAsync())).PaidAt);
        Assert.Equal(2, (await DonationsAsync()).Count);
        page = await admin.GetPageAsync("/admin/monthly");
        Assert.NotNull(page.QuerySelector("#no-failed-payments"));
        Assert.Contains("£20.00", page.QuerySelector("#monthly-by-dispute")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_month_s_charge_events_before_its_paid_invoice_are_not_listed_as_unknown_and_its_fee_posts_once()
    {
        var stripe = await NewGiftAsync(1_000);
        var invoice = stripe.Invoice(1);
        var fee = StripePayloads.BalanceTransaction("txn_test_month", invoice.ChargeId, 1_000, 35);
        using var client = App.CreateClient();

        Assert.Equal("ignored", await WebhookSender.DeliverAsync(client, StripePayloads.Event(
            "charge.succeeded", StripePayloads.Charge(null, invoice.ChargeId, invoice.PaymentIntentId, 1_000, balanceTransaction: fee))));
        await WebhookSender.DeliverAsync(client, stripe.Paid(1));
        Assert.Equal("applied", await WebhookSender.DeliverAsync(client, StripePayloads.Event(
            "charge.updated", StripePayloads.Charge(null, invoice.ChargeId, invoice.PaymentIntentId, 1_000, balanceTransaction: fee))));
        await WebhookSender.DeliverAsync(client, StripePayloads.Event(
            "charge.updated", StripePayloads.Charge(null, invoice.ChargeId, invoice.PaymentIntentId, 1_000, balanceTransaction: fee)));

        Assert.Equal(0, await App.WithDbAsync(db => db.StripeEvents.CountAsync(e => e.Outcome == "unknown-donation")));
        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal(1_000, entries.Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
        Assert.Equal(-35, entries.Where(e => e.Kind == LedgerEntryKind.ProcessingFee).Sum(e => e.AmountPence));
    }

    [Fact]
    public async Task A_dispute_with_monthly_givers_and_no_money_yet_says_so_on_its_page()
    {
        var stripe = await NewGiftAsync(1_000);
        using var client = App.CreateClient();

        // The completed Checkout starts the gift; the first invoice's payment follows.
        await WebhookSender.DeliverAsync(client, stripe.Completed());

        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await client.GetStringAsync(new Uri("/disputes/argos-warehouse-strike", UriKind.Relative)));
        Assert.Empty(await MoneyScenario.EntriesAsync(App));
        Assert.Equal("1 person gives monthly", page.QuerySelector("#monthly-givers")?.TextContent.Trim());
    }

    [Fact]
    public async Task Refund_of_a_monthly_payment_finds_its_donation_through_the_charge_and_is_posted_by_the_existing_path()
    {
        var stripe = await NewGiftAsync(1_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, stripe.Paid(1));
        await WebhookSender.DeliverAsync(client, stripe.Paid(2));

        Assert.Equal("applied", await WebhookSender.DeliverAsync(client, stripe.Refunded(2, "re_test_monthly", 1_000)));

        var refunds = (await MoneyScenario.EntriesAsync(App)).Where(e => e.Kind == LedgerEntryKind.Refund).ToList();
        Assert.Equal(-1_000, refunds.Sum(e => e.AmountPence));
        var refunded = (await DonationsAsync()).Single(d => d.StripeInvoiceId == stripe.Invoice(2).Id);
        Assert.All(refunds, e => Assert.Equal(refunded.Id, e.DonationId));
        Assert.Equal(stripe.Invoice(2).ChargeId, refunded.StripeChargeId);
        await MoneyScenario.AssertTotalsMatchEntriesAsync(App);
    }

    [Fact]
    public async Task Subscription_events_keep_the_gift_in_step_and_an_older_one_delivered_late_changes_nothing()
    {
        var stripe = await NewGiftAsync(1_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, stripe.Completed());
        var t = stripe.Start.AddDays(10);

        await WebhookSender.DeliverAsync(client, stripe.Updated(t, pauseBehavior: "void"));
        Assert.Equal(MonthlyGiftStatus.Paused, (await GiftAsync(stripe.GiftId)).Status);
        Assert.Equal(0, await App.WithDbAsync(db => db.MonthlyTotals.Select(m => m.Givers).SingleAsync()));

        await WebhookSender.DeliverAsync(client, stripe.Updated(t.AddDays(1)));
        await WebhookSender.DeliverAsync(client, stripe.Updated(t.AddHours(1), pauseBehavior: "void"));
        Assert.Equal(MonthlyGiftStatus.Active, (await GiftAsync(stripe.GiftId)).Status);
        Assert.Equal(1, await App.WithDbAsync(db => db.MonthlyTotals.Select(m => m.Givers).SingleAsync()));

        await WebhookSender.DeliverAsync(client, stripe.Deleted(t.AddDays(2)));
        await WebhookSender.DeliverAsync(client, stripe.Updated(t.AddDays(3)));
        var gift = await GiftAsync(stripe.GiftId);
        Assert.Equal(MonthlyGiftStatus.Cancelled, gift.Status);
        Assert.NotNull(gift.CancelledAt);
        Assert.Equal(0, await App.WithDbAsync(db => db.MonthlyTotals.Select(m => m.Givers).SingleAsync()));
    }

    [Theory]
    [InlineData("unpaid")]
    [InlineData("paused")]
    public async Task A_subscription_Stripe_stopped_collecting_is_not_counted_until_it_collects_again(string status)
    {
        var stripe = await NewGiftAsync();
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, stripe.Completed());
        var t = stripe.Start.AddDays(40);

        await WebhookSender.DeliverAsync(client, stripe.Updated(t, status: status));

        Assert.Equal(MonthlyGiftStatus.Paused, (await GiftAsync(stripe.GiftId)).Status);
        Assert.Equal(0, await App.WithDbAsync(db => db.MonthlyTotals.Select(m => m.Givers).SingleAsync()));

        await WebhookSender.DeliverAsync(client, stripe.Updated(t.AddDays(2)));

        Assert.Equal(MonthlyGiftStatus.Active, (await GiftAsync(stripe.GiftId)).Status);
        Assert.Equal(1, await App.WithDbAsync(db => db.MonthlyTotals.Select(m => m.Givers).SingleAsync()));
    }

    [Fact]
    public async Task Expired_subscription_checkout_leaves_the_gift_cancelled_without_money()
    {
        var stripe = await NewGiftAsync();
        using var client = App.CreateClient();

        await WebhookSender.DeliverAsync(client, stripe.Expired());

        Assert.Equal(MonthlyGiftStatus.Cancelled, (await GiftAsync(stripe.GiftId)).Status);
        Assert.Empty(await MoneyScenario.EntriesAsync(App));
    }

    /// <summary>
    /// The form sent again a day later opens a second session (Stripe keeps an idempotency key a day): the first one's
    /// expiry must not cancel the gift, whose second session is then paid. A cancelled gift would be charged every month,
    /// uncounted, without a link to manage it, and never paused when its dispute ends.
    /// </summary>
    [Fact]
    public async Task The_expiry_of_an_earlier_checkout_session_leaves_the_gift_waiting_for_its_current_one()
    {
        var stripe = await NewGiftAsync();
        await App.WithDbAsync(db => db.MonthlyGifts.Where(g => g.Id == stripe.GiftId)
            .ExecuteUpdateAsync(g => g.SetProperty(x => x.StripeCheckoutSessionId, "cs_test_sent_again_a_day_later")));
        using var client = App.CreateClient();

        await WebhookSender.DeliverAsync(client, stripe.Expired());
        Assert.Equal(MonthlyGiftStatus.Pending, (await GiftAsync(stripe.GiftId)).Status);

        await WebhookSender.DeliverAsync(client, stripe.Completed());
        Assert.Equal(MonthlyGiftStatus.Active, (await GiftAsync(stripe.GiftId)).Status);
    }

    [Fact]
    public async Task A_monthly_givers_export_holds_the_gift_its_payments_and_its_message()
    {
        var stripe = await NewGiftAsync(1_000);
        await AddMessageAsync(stripe.GiftId);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, stripe.Completed());
        await WebhookSender.DeliverAsync(client, stripe.Paid(1));
        await WebhookSender.DeliverAsync(client, stripe.Failed(2, 1, DateTimeOffset.UtcNow.AddDays(3)));

        // Moved here from another dispute, as a giver may when theirs ends (the dispute it came from, by its title).
        var movedAt = DateTimeOffset.UtcNow.AddDays(-1);
        var from = await App.WithDbAsync(db => db.Disputes.Where(d => d.Id != _scenario.DisputeId).Select(d => new { d.Id, d.Title }).FirstAsync());
        await App.WithDbAsync(db => db.MonthlyGifts.Where(g => g.Id == stripe.GiftId)
            .ExecuteUpdateAsync(g => g.SetProperty(x => x.MovedFromDisputeId, from.Id).SetProperty(x => x.MovedAt, movedAt)));

        DonorExport export;
        await using (var scope = App.Scope())
        {
            export = await scope.ServiceProvider.GetRequiredService<DonorRecords>().ExportAsync("Monthly@Example.org", CancellationToken.None);
        }

        var gift = Assert.Single(export.MonthlyGifts);
        Assert.Equal((stripe.GiftId, "monthly@example.org", 1_000L), (gift.Id, gift.Email, gift.AmountPence));
        Assert.Single(export.Donations);
        Assert.Single(export.Messages);
        var failed = Assert.Single(gift.FailedPayments);
        Assert.Equal((stripe.Invoice(2).Id, 1_000L, 1), (failed.StripeInvoiceId, failed.AmountPence, failed.Attempts));
        Assert.Equal(from.Title, gift.MovedFromDispute);
        Assert.NotNull(gift.MovedAt);
    }

    [Fact]
    public async Task Erasing_a_monthly_giver_clears_the_gift_its_payments_and_its_message_and_keeps_the_money()
    {
        var stripe = await NewGiftAsync(1_000);
        await AddMessageAsync(stripe.GiftId);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, stripe.Completed());
        await WebhookSender.DeliverAsync(client, stripe.Paid(1));
        var keyBefore = (await GiftAsync(stripe.GiftId)).DonorKey;
        var admin = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, Guid.CreateVersion7().ToString())], "Test"));

        await using (var scope = App.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<DonorErasure>().EraseAsync(admin, "monthly@example.org", "Asked by email", false, CancellationToken.None);
        }

        var gift = await GiftAsync(stripe.GiftId);
        Assert.Equal((null, null, MonthlyGiftStatus.Active), (gift.Email, gift.DonorName, gift.Status));
        Assert.NotEqual(keyBefore, gift.DonorKey);
        Assert.All(await DonationsAsync(), d => Assert.Null(d.Email));
        Assert.Equal(DonorErasure.MessageRemoved, await App.WithDbAsync(db => db.SupportMessages.Select(m => m.Body).SingleAsync()));
        Assert.Equal(1_000, (await MoneyScenario.EntriesAsync(App)).Sum(e => e.AmountPence));
    }

    [Fact]
    public async Task A_monthly_checkout_never_completed_loses_its_personal_data_after_the_retention_period_and_a_running_gift_keeps_it()
    {
        var abandoned = await NewGiftAsync(1_000, email: "abandoned@example.org");
        var running = await NewGiftAsync(1_000, email: "running@example.org");
        await AddMessageAsync(abandoned.GiftId);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, running.Completed());
        await App.WithDbAsync(db => db.MonthlyGifts.ExecuteUpdateAsync(g => g.SetProperty(x => x.CreatedAt, DateTimeOffset.UtcNow.AddDays(-31))));

        await using (var scope = App.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<ClearExpiredPersonalDataJob>().RunAsync(CancellationToken.None);
        }

        Assert.Equal((null, null), ((await GiftAsync(abandoned.GiftId)).Email, (await GiftAsync(abandoned.GiftId)).DonorName));
        Assert.Equal(ClearExpiredPersonalDataJob.UnpaidMessageCleared, await App.WithDbAsync(db => db.SupportMessages.Select(m => m.Body).SingleAsync()));
        Assert.Equal("running@example.org", (await GiftAsync(running.GiftId)).Email);
    }

    private Task<int> AddMessageAsync(Guid giftId) => App.WithDbAsync(db =>
    {
        db.SupportMessages.Add(new Solidarity.Core.Messages.SupportMessage
        {
            DisputeId = _scenario.DisputeId, MonthlyGiftId = giftId, AuthorName = "Jo", Body = "Every month, solidarity.", CreatedAt = DateTimeOffset.UtcNow,
        });
        return db.SaveChangesAsync();
    });
}
