using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Donations;
using Solidarity.Testing;
using Solidarity.Tests.Ledger;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Admin;
using Solidarity.Web.Pages.Ledger;

namespace Solidarity.Tests.Admin.Money;

public sealed class ReconciliationTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string Path = "/admin/money/reconciliation";

    private MoneyScenario _scenario = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _scenario = await MoneyScenario.SeedAsync(App);
    }

    [Fact]
    public async Task Lists_orphan_events_stale_pending_donations_and_the_money_per_dispute_and_branch()
    {
        var stranger = new CardPayment(Guid.NewGuid(), 1_500);
        var paid = new CardPayment(await _scenario.CardDonationAsync(App, 1_001), 1_001);
        var stale = await _scenario.CardDonationAsync(App, 700);
        var fresh = await _scenario.CardDonationAsync(App, 800);
        await App.WithDbAsync(async db =>
        {
            var donation = await db.Donations.FindAsync(stale);
            donation!.CreatedAt = DateTimeOffset.UtcNow.AddDays(-2);
            await db.SaveChangesAsync();
        });
        using (var webhooks = App.CreateClient())
        {
            await WebhookSender.DeliverAsync(webhooks, stranger.Completed());
            await WebhookSender.DeliverAsync(webhooks, paid.Completed());
            await WebhookSender.DeliverAsync(webhooks, paid.ChargeSucceeded(StripePayloads.BalanceTransaction("txn_test_recon", paid.ChargeId, 1_001, 35)));
        }

        using var client = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;
        var page = await client.GetPageAsync(Path);
        var tables = page.QuerySelectorAll("table").Select(t => t.TextContent).ToList();

        Assert.Equal(4, tables.Count);
        Assert.Contains(stranger.SessionId, tables[0], StringComparison.Ordinal);
        Assert.Contains("checkout.session.completed", tables[0], StringComparison.Ordinal);
        Assert.Contains("cs_test_" + stale.ToString("N"), tables[1], StringComparison.Ordinal);
        Assert.DoesNotContain("cs_test_" + fresh.ToString("N"), tables[1], StringComparison.Ordinal);
        Assert.DoesNotContain(paid.SessionId, tables[1], StringComparison.Ordinal);
        Assert.Contains("Argos warehouse strike", tables[2], StringComparison.Ordinal);
        Assert.Contains("£10.01", tables[2], StringComparison.Ordinal);
        Assert.Contains("-£0.35", tables[2], StringComparison.Ordinal);
        Assert.Contains("£9.66", tables[2], StringComparison.Ordinal);
        Assert.Contains("WM7680", tables[3], StringComparison.Ordinal);
        Assert.Contains("£5.80", tables[3], StringComparison.Ordinal);
        Assert.Equal(DonationStatus.Pending, (await MoneyScenario.DonationAsync(App, stale)).Status);
    }

    [Fact]
    public async Task Lists_events_for_a_sum_the_donation_does_not_record_next_to_the_orphans()
    {
        var donationId = await _scenario.CardDonationAsync(App, 2_500);
        var overcharged = new CardPayment(donationId, 25_000);
        using (var webhooks = App.CreateClient())
        {
            await WebhookSender.DeliverAsync(webhooks, overcharged.Completed());
        }

        using var client = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;
        var page = await client.GetPageAsync(Path);

        var heading = Assert.Single(page.QuerySelectorAll("h2"), h => h.TextContent.Contains("amount does not match", StringComparison.Ordinal));
        var table = heading.NextElementSibling?.NextElementSibling?.QuerySelector("table");
        Assert.Equal("TABLE", table?.TagName);
        Assert.Contains(overcharged.SessionId, table!.TextContent, StringComparison.Ordinal);
        Assert.Contains(donationId.ToString(), table.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_running_total_changed_by_hand_is_shown_on_the_page_and_recorded_by_the_check_job()
    {
        var paid = new CardPayment(await _scenario.CardDonationAsync(App, 2_000, _scenario.Burton), 2_000);
        using (var sender = App.CreateClient())
        {
            await WebhookSender.DeliverAsync(sender, paid.Completed());
        }

        using var client = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;
        Assert.Null((await client.GetPageAsync(Path)).QuerySelector("#totals-differences"));
        await using (var scope = App.Scope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<CheckLedgerTotalsJob>().RunAsync(CancellationToken.None));
        }

        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""UPDATE "LedgerTotals" SET "AmountPence" = "AmountPence" + 1"""));

        var row = Assert.Single((await client.GetPageAsync(Path)).QuerySelectorAll("#totals-differences tbody tr"));
        Assert.Contains("£20.01", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("£20.00", row.TextContent, StringComparison.Ordinal);
        await using (var scope = App.Scope())
        {
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<CheckLedgerTotalsJob>().RunAsync(CancellationToken.None));
        }

        Assert.Equal(
            [AuditActions.LedgerTotalsDiffer],
            await App.WithDbAsync(db => db.AuditEntries.Where(a => a.UserName == AuditTrail.SiteActor).Select(a => a.Action).ToListAsync()));
    }
}
