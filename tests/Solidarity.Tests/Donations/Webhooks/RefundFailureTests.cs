using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Ledger;
using Solidarity.Tests.Ledger;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Disputes;

namespace Solidarity.Tests.Donations.Webhooks;

/// <summary>Refunds posted while pending that Stripe later fails or cancels: the money goes back to the branches it came from.</summary>
public sealed class RefundFailureTests(SiteFixture fixture) : SiteTest(fixture)
{
    private MoneyScenario _scenario = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _scenario = await MoneyScenario.SeedAsync(App);
    }

    [Fact]
    public async Task Pending_refund_that_later_fails_is_given_back_to_each_branch_exactly_as_it_was_taken()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 1_001), 1_001);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, payment.Completed());
        var (refundId, refunded) = payment.Refund(333, "pending");
        await WebhookSender.DeliverAsync(client, refunded);
        Assert.Equal(668, (await TotalsAsync()).RaisedPence);

        var failed = payment.RefundUpdated(refundId, "failed", "expired_or_canceled_card");
        await WebhookSender.DeliverAsync(client, failed);
        await WebhookSender.DeliverAsync(client, failed);
        await WebhookSender.DeliverAsync(client, payment.RefundUpdated(refundId, "failed", "expired_or_canceled_card"));
        await WebhookSender.DeliverAsync(client, payment.Refunded());

        Assert.Equal(new DisputeTotals(1_001, 1), await TotalsAsync());
        var entries = await MoneyScenario.EntriesAsync(App);
        var taken = entries.Where(e => e.Kind == LedgerEntryKind.Refund).ToList();
        var reversed = entries.Where(e => e.Kind == LedgerEntryKind.RefundReversed).ToList();
        Assert.Equal(2, reversed.Count);
        foreach (var branch in new[] { _scenario.Burton, _scenario.Lutterworth })
        {
            var back = reversed.Single(e => e.BranchId == branch);
            Assert.Equal(-taken.Single(e => e.BranchId == branch).AmountPence, back.AmountPence);
            Assert.Equal($"refund:{refundId}:reversed:{branch}", back.Key);
            Assert.Equal(refundId, back.StripeObjectId);
        }

        Assert.Equal([601, 400], new[] { _scenario.Burton, _scenario.Lutterworth }.Select(b => entries.Where(e => e.BranchId == b).Sum(e => e.AmountPence)));
    }

    [Fact]
    public async Task After_a_failed_refund_is_reversed_the_whole_gift_can_still_be_refunded()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 1_000), 1_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, payment.Completed());
        var (failedId, pending) = payment.Refund(500, "pending");
        await WebhookSender.DeliverAsync(client, pending);
        await WebhookSender.DeliverAsync(client, payment.RefundUpdated(failedId, "failed", "lost_or_stolen_card"));

        var (wholeId, whole) = payment.Refund(1_000);
        await WebhookSender.DeliverAsync(client, whole);

        Assert.Equal(-1_000, (await MoneyScenario.EntriesAsync(App)).Where(e => e.StripeObjectId == wholeId).Sum(e => e.AmountPence));
        Assert.Equal(0, (await TotalsAsync()).RaisedPence);
    }

    [Fact]
    public async Task Refund_seen_first_as_failed_posts_nothing_even_when_an_older_event_lists_it_as_pending()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_000), 2_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, payment.Completed());
        var (refundId, listedPending) = payment.Refund(2_000, "pending");

        await WebhookSender.DeliverAsync(client, payment.RefundUpdated(refundId, "canceled"));
        await WebhookSender.DeliverAsync(client, listedPending);

        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.All(entries, e => Assert.Equal(LedgerEntryKind.DonationReceived, e.Kind));
        Assert.Equal(2_000, (await TotalsAsync()).RaisedPence);
    }

    [Fact]
    public async Task Charge_refunded_listing_a_posted_refund_as_failed_neither_posts_it_again_nor_reverses_it()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_000), 2_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, payment.Completed());
        var (refundId, pending) = payment.Refund(700, "pending");
        await WebhookSender.DeliverAsync(client, pending);

        payment.RefundUpdated(refundId, "failed", "charge_for_pending_refund_disputed");
        await WebhookSender.DeliverAsync(client, payment.Refunded());

        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal(-700, entries.Where(e => e.Kind == LedgerEntryKind.Refund).Sum(e => e.AmountPence));
        Assert.DoesNotContain(entries, e => e.Kind == LedgerEntryKind.RefundReversed);
        Assert.Equal(1_300, (await TotalsAsync()).RaisedPence);
    }

    [Fact]
    public async Task Refund_update_that_is_not_a_failure_changes_nothing()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_000), 2_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, payment.Completed());
        var (refundId, pending) = payment.Refund(700, "pending");
        await WebhookSender.DeliverAsync(client, pending);

        await WebhookSender.DeliverAsync(client, payment.RefundUpdated(refundId, "succeeded"));

        Assert.DoesNotContain(await MoneyScenario.EntriesAsync(App), e => e.Kind == LedgerEntryKind.RefundReversed);
        Assert.Equal(1_300, (await TotalsAsync()).RaisedPence);
        Assert.Equal("applied", await App.WithDbAsync(db => db.StripeEvents.Where(e => e.Type == "charge.refund.updated").Select(e => e.Outcome).SingleAsync()));
    }

    private async Task<DisputeTotals> TotalsAsync()
    {
        await using var scope = App.Scope();
        return await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<DisputeTotalsQuery>(scope.ServiceProvider).ForDisputeAsync(_scenario.DisputeId, CancellationToken.None);
    }
}
