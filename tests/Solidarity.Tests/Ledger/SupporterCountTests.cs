using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Data;
using Solidarity.Core.Donations;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Admin.Money;
using Solidarity.Web.Pages.Disputes;
using Solidarity.Web.Pages.Ledger;

namespace Solidarity.Tests.Ledger;

/// <summary>Supporters are people and organisations, each counted once, while a gift of theirs still holds money.</summary>
public sealed class SupporterCountTests(SiteFixture fixture) : SiteTest(fixture)
{
    private static readonly ClaimsPrincipal Admin = AdminSite.Principal();

    private MoneyScenario _scenario = default!;
    private SupporterKeys _keys = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _scenario = await MoneyScenario.SeedAsync(App);
        _keys = App.Services.GetRequiredService<SupporterKeys>();
    }

    [Fact]
    public async Task A_person_who_gives_twice_counts_once_whatever_the_case_of_their_address()
    {
        await PaidAsync(1_000, _keys.For("Jo@Example.org", null));
        await PaidAsync(2_000, _keys.For("jo@example.org ", null));
        await PaidAsync(500, _keys.For("sam@example.org", null));

        Assert.Equal(new DisputeTotals(3_500, 2), await TotalsAsync());
        await MoneyScenario.AssertTotalsMatchEntriesAsync(App);
    }

    [Fact]
    public async Task An_organisation_counts_as_its_own_donor_whoever_sends_its_money()
    {
        await PaidAsync(1_000, _keys.For("treasurer@momentum.example", "Momentum  South Birmingham"));
        await PaidAsync(1_000, _keys.For("secretary@momentum.example", "momentum south birmingham"));
        await PaidAsync(1_000, _keys.For("treasurer@momentum.example", null));

        Assert.Equal(2, (await TotalsAsync()).Supporters);
    }

    [Fact]
    public async Task Offline_gifts_with_no_email_each_count_once()
    {
        for (var i = 0; i < 3; i++)
        {
            await using var scope = App.Scope();
            var gift = new OfflineGift(
                Guid.CreateVersion7(), _scenario.DisputeId, _scenario.Burton, DonationMethod.Collection, 1_250, DateTimeOffset.UtcNow,
                "Picket line bucket", null, null, "Burton gate");
            Assert.True(await scope.ServiceProvider.GetRequiredService<OfflineMoney>().RecordAsync(gift, Admin, CancellationToken.None));
        }

        Assert.Equal(new DisputeTotals(3_750, 3), await TotalsAsync());
    }

    [Fact]
    public async Task A_gift_refunded_in_full_or_lost_to_a_chargeback_stops_counting_and_one_won_back_counts_again()
    {
        var refunded = await PaidAsync(1_000, _keys.For("refunded@example.org", null));
        var partly = await PaidAsync(1_000, _keys.For("partly@example.org", null));
        var disputed = await PaidAsync(1_000, _keys.For("disputed@example.org", null));
        using var client = App.CreateClient();
        Assert.Equal(3, (await TotalsAsync()).Supporters);

        await WebhookSender.DeliverAsync(client, refunded.Refund(1_000).Event);
        await WebhookSender.DeliverAsync(client, partly.Refund(999).Event);
        await WebhookSender.DeliverAsync(client, disputed.Dispute("dp_test_count", "charge.dispute.created", "needs_response", 1_000));
        Assert.Equal(1, (await TotalsAsync()).Supporters);

        await WebhookSender.DeliverAsync(client, disputed.Dispute("dp_test_count", "charge.dispute.closed", "won", 1_000));
        Assert.Equal(2, (await TotalsAsync()).Supporters);
        Assert.False((await MoneyScenario.DonationAsync(App, refunded.DonationId)).CountsAsSupporter);
        await MoneyScenario.AssertTotalsMatchEntriesAsync(App);
    }

    [Fact]
    public async Task A_gift_marked_as_counting_by_whoever_posts_its_entries_counts_once_and_a_mark_the_ledger_does_not_bear_out_is_put_right()
    {
        // A webhook batch marks a gift with no entries as counting in the update that marks it paid, before posting.
        var marked = await _scenario.CardDonationAsync(App, 1_000, donorKey: _keys.For("marked@example.org", null));
        var mistaken = await _scenario.CardDonationAsync(App, 1_000, donorKey: _keys.For("mistaken@example.org", null));
        await App.WithDbAsync(db => db.Donations.Where(d => d.Id == marked || d.Id == mistaken)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.CountsAsSupporter, true)));

        await using (var scope = App.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SolidarityDbContext>();
            var ledger = scope.ServiceProvider.GetRequiredService<LedgerPostings>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var locked = await LedgerLocks.DonationAsync(db, marked, CancellationToken.None);
            await ledger.PaymentConfirmedAsync(locked!, "pi_marked", DateTimeOffset.UtcNow, CancellationToken.None);

            // Money taken back from a gift that never brought any in: the mark was wrong, and the gift does not count.
            locked = await LedgerLocks.DonationAsync(db, mistaken, CancellationToken.None);
            await ledger.RefundAsync(locked!, "re_mistaken", 400, DateTimeOffset.UtcNow, CancellationToken.None);
            await transaction.CommitAsync();
        }

        Assert.Equal(1, (await TotalsAsync()).Supporters);
        Assert.True((await MoneyScenario.DonationAsync(App, marked)).CountsAsSupporter);
        Assert.False((await MoneyScenario.DonationAsync(App, mistaken)).CountsAsSupporter);
        await MoneyScenario.AssertTotalsMatchEntriesAsync(App);
    }

    private async Task<CardPayment> PaidAsync(long pence, string? donorKey)
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, pence, donorKey: donorKey), pence);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, payment.Completed());
        return payment;
    }

    private async Task<DisputeTotals> TotalsAsync()
    {
        await using var scope = App.Scope();
        return await scope.ServiceProvider.GetRequiredService<DisputeTotalsQuery>().ForDisputeAsync(_scenario.DisputeId, CancellationToken.None);
    }
}
