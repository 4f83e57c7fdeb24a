using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Core.Messages;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Demo;
using Solidarity.Web.Pages.Ledger;

namespace Solidarity.Tests.Demo;

/// <summary>The Argos demo's fortnight of money and messages, posted through the same code as real money.</summary>
public sealed class DemoHistoryTests(PublicSiteFixture fixture) : PublicSiteTest(fixture)
{
    /// <summary>What the test host asks for with <c>Demo:Donations</c>.</summary>
    private const int Donations = 60;

    [Fact]
    public async Task Demo_gives_Argos_the_donations_the_setting_asks_for_each_confirmed_with_its_fee()
    {
        await App.SeedDemoAsync();

        var (gifts, received, fees) = await App.WithDbAsync(async db => (
            await db.Donations.CountAsync(d => d.StripeCheckoutSessionId!.StartsWith(DemoHistory.SessionPrefix) && d.Status == DonationStatus.Paid),
            await db.LedgerEntries.Where(e => e.Kind == LedgerEntryKind.DonationReceived).Select(e => e.DonationId).Distinct().CountAsync(),
            await db.LedgerEntries.Where(e => e.Kind == LedgerEntryKind.ProcessingFee).Select(e => e.DonationId).Distinct().CountAsync()));

        Assert.Equal((Donations, Donations, Donations), (gifts, received, fees));
    }

    [Fact]
    public async Task Demo_has_a_partial_refund_and_a_lost_chargeback()
    {
        await App.SeedDemoAsync();

        var kinds = await App.WithDbAsync(db => db.LedgerEntries
            .Where(e => e.StripeObjectId == DemoHistory.RefundId || e.StripeObjectId == DemoHistory.ChargebackId)
            .GroupBy(e => e.Kind)
            .Select(g => new { g.Key, Pence = g.Sum(e => e.AmountPence) })
            .ToDictionaryAsync(g => g.Key, g => g.Pence));

        Assert.Equal(-20_00, kinds[LedgerEntryKind.Refund]);
        Assert.Equal(-50_00, kinds[LedgerEntryKind.Chargeback]);
        Assert.False(kinds.ContainsKey(LedgerEntryKind.ChargebackReversed));
    }

    [Fact]
    public async Task Demo_pays_the_branch_a_statement_it_confirms()
    {
        await App.SeedDemoAsync();

        var payment = await App.WithDbAsync(db => db.RemittancePayments.AsNoTracking()
            .Join(db.Branches.Where(b => b.Code == DemoData.ArgosBranchCode), p => p.BranchId, b => b.Id, (p, _) => p)
            .SingleAsync());
        var statement = await App.WithDbAsync(db => db.RemittanceStatements.AsNoTracking().SingleAsync(s => s.Id == payment.StatementId));

        Assert.NotNull(statement.ApprovedAt);
        Assert.Equal(statement.ClosingPence, payment.AmountPence);
        Assert.NotEqual(statement.ApprovedByUserId, payment.RecordedByUserId);
        Assert.NotNull(payment.ConfirmedAt);
        var remitted = await App.WithDbAsync(db => db.LedgerEntries.Where(e => e.Kind == LedgerEntryKind.Remittance && e.BranchId == payment.BranchId).SumAsync(e => e.AmountPence));
        Assert.Equal(-payment.AmountPence, remitted);
    }

    [Fact]
    public async Task Demo_has_forty_approved_messages_and_one_waiting()
    {
        await App.SeedDemoAsync();

        var statuses = await App.WithDbAsync(db => db.SupportMessages.GroupBy(m => m.Status).ToDictionaryAsync(g => g.Key, g => g.Count()));

        Assert.Equal(DemoHistory.ApprovedMessages, statuses[ModerationStatus.Approved]);
        Assert.Equal(1, statuses[ModerationStatus.Pending]);
    }

    [Fact]
    public async Task Demo_running_totals_agree_with_the_entries_and_only_refunded_gifts_owe_a_receipt()
    {
        await App.SeedDemoAsync();

        await using var scope = App.Scope();
        var differences = await scope.ServiceProvider.GetRequiredService<LedgerQueries>().TotalsDifferencesAsync(CancellationToken.None);
        Assert.Empty(differences);
        var owing = await App.WithDbAsync(db => db.Donations.CountAsync(d => !d.ReceiptNotOwed));
        Assert.Equal(2, owing);
    }

    [Fact]
    public async Task Seeding_the_demo_again_adds_no_money_and_no_messages()
    {
        await App.SeedDemoAsync();
        var before = await CountsAsync();
        App.Clock.Now = TestClock.Default.AddDays(2);

        await App.SeedDemoAsync();

        Assert.Equal(before, await CountsAsync());
    }

    private Task<(int Donations, int Entries, int Messages, int Payments)> CountsAsync() => App.WithDbAsync(async db => (
        await db.Donations.CountAsync(), await db.LedgerEntries.CountAsync(), await db.SupportMessages.CountAsync(), await db.RemittancePayments.CountAsync()));
}
