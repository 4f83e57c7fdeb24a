using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Data;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Admin.Money;
using Solidarity.Web.Pages.Donations.Webhooks;
using Solidarity.Web.Pages.Ledger;
using Stripe;

namespace Solidarity.Tests.Ledger;

/// <summary>
/// Random histories that mix what Stripe sends (card and async payments, fees, refunds, chargebacks) with what admins
/// do (offline money and its reversal, remittances paid out of what a branch holds). Admin actions never take a branch
/// below zero unless the admin confirmed it; Stripe may, and every branch it leaves below zero is listed on the
/// reconciliation page. The money per dispute adds up to what happened, to the penny.
/// </summary>
public sealed class AdminActionInvariantTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const int Steps = 240;

    private static readonly ClaimsPrincipal Admin = AdminSite.Principal();

    [Fact]
    public async Task Admins_recording_offline_money_for_one_branch_at_once_each_record_it_first_time()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        using var start = new SemaphoreSlim(0);
        var recordings = Enumerable.Range(0, 12).Select(async i =>
        {
            var gift = new OfflineGift(
                Guid.CreateVersion7(), scenario.DisputeId, scenario.Burton, DonationMethod.Cheque, 1_000 + i, DateTimeOffset.UtcNow, "A payer", null, null, null);
            await start.WaitAsync();
            await using var scope = App.Scope();
            return await scope.ServiceProvider.GetRequiredService<OfflineMoney>().RecordAsync(gift, Admin, CancellationToken.None);
        }).ToList();
        start.Release(12);

        Assert.All(await Task.WhenAll(recordings), Assert.True);
        Assert.Equal(12, await App.WithDbAsync(db => db.LedgerEntries.CountAsync(e => e.Kind == LedgerEntryKind.OfflineDonation)));
    }

    [Fact]
    public async Task Admin_actions_never_overdraw_a_branch_unconfirmed_and_every_overdrawn_branch_is_listed()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        var random = new Random(20_170_531);
        var expectedRaised = new Dictionary<Guid, long> { [scenario.DisputeId] = 0, [scenario.OtherDisputeId] = 0 };
        var paid = new List<CardPayment>();
        var offline = new List<(Guid Id, Guid DisputeId, long Pence)>();
        var confirmedOverdraws = 0;

        for (var step = 0; step < Steps; step++)
        {
            switch (random.Next(10))
            {
                case < 4:
                    paid.AddRange(await CardAsync(scenario, random, expectedRaised));
                    break;
                case 4 when paid.Count > 0:
                    await TakeBackAsync(paid[random.Next(paid.Count)], random, expectedRaised);
                    break;
                case 5 or 6:
                    offline.Add(await OfflineAsync(scenario, random, expectedRaised));
                    break;
                case 7 when offline.Count > 0:
                    var gift = offline[random.Next(offline.Count)];
                    offline.Remove(gift);
                    confirmedOverdraws += await ReverseAsync(gift, random, expectedRaised) ? 1 : 0;
                    break;
                default:
                    await PayBranchAsync(random.Next(2) == 0 ? scenario.Burton : random.Next(2) == 0 ? scenario.Lutterworth : scenario.OtherBranch, random);
                    break;
            }
        }

        var entries = await MoneyScenario.EntriesAsync(App);
        await MoneyScenario.AssertTotalsMatchEntriesAsync(App);
        Assert.Equal(entries.Count, entries.Select(e => e.Key).Distinct(StringComparer.Ordinal).Count());
        await using (var scope = App.Scope())
        {
            var money = await scope.ServiceProvider.GetRequiredService<LedgerQueries>()
                .ForDisputesAsync([scenario.DisputeId, scenario.OtherDisputeId], CancellationToken.None);
            Assert.Equal(expectedRaised.OrderBy(kv => kv.Key), money.ToDictionary(m => m.DisputeId, m => m.RaisedPence).OrderBy(kv => kv.Key));
        }

        var negative = entries.GroupBy(e => e.BranchId).Where(g => g.Sum(e => e.AmountPence) < 0).Select(g => g.Key).ToHashSet();
        var codes = await App.WithDbAsync(db => db.Branches.ToDictionaryAsync(b => b.Id, b => b.Code));
        using var admin = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;
        var listed = (await admin.GetPageAsync("/admin/money/reconciliation"))
            .QuerySelectorAll("#owing-back tbody tr").Select(r => r.GetAttribute("data-branch") ?? "").ToHashSet();
        Assert.Equal(negative.Select(id => codes[id]).ToHashSet(), listed);

        // The history is only a good test if it reached the cases it is about.
        Assert.Contains(entries, e => e.Kind == LedgerEntryKind.Remittance);
        Assert.Contains(entries, e => e.Kind == LedgerEntryKind.OfflineDonationReversed);
        Assert.True(confirmedOverdraws > 0, "No reversal needed confirming.");
        Assert.NotEmpty(negative);
    }

    /// <summary>A card gift, paid at once or through an async payment that succeeds or fails; its fee is quoted either way.</summary>
    private async Task<IEnumerable<CardPayment>> CardAsync(MoneyScenario scenario, Random random, Dictionary<Guid, long> raised)
    {
        var amount = random.Next(100, 50_001);
        var (disputeId, branch) = random.Next(3) == 0 ? (scenario.OtherDisputeId, (Guid?)scenario.OtherBranch) : (scenario.DisputeId, null);
        var payment = new CardPayment(await scenario.CardDonationAsync(App, amount, branch, disputeId), amount);
        var fee = StripePayloads.BalanceTransaction(StripePayloads.NewId("txn"), payment.ChargeId, amount, 20 + amount * 15 / 1_000);
        if (random.Next(3) > 0)
        {
            await ProcessAsync(payment.Completed(), payment.ChargeSucceeded(fee));
            raised[disputeId] += amount;
            return [payment];
        }

        await ProcessAsync(payment.Completed("unpaid"), payment.ChargePending(fee));
        if (random.Next(2) == 0)
        {
            await ProcessAsync(payment.SessionEvent("checkout.session.async_payment_failed", "unpaid", "complete"));
            return [];
        }

        await ProcessAsync(payment.SessionEvent("checkout.session.async_payment_succeeded", "paid", "complete"), payment.ChargeSucceeded(fee));
        raised[disputeId] += amount;
        return [payment];
    }

    /// <summary>Stripe takes money back: a partial refund, or a chargeback lost.</summary>
    private async Task TakeBackAsync(CardPayment payment, Random random, Dictionary<Guid, long> raised)
    {
        var held = await App.WithDbAsync(db => db.LedgerEntries
            .Where(e => e.DonationId == payment.DonationId && e.Kind != LedgerEntryKind.ProcessingFee && e.Kind != LedgerEntryKind.ChargebackFee)
            .SumAsync(e => e.AmountPence));
        if (held <= 0)
        {
            return;
        }

        var amount = random.Next(1, (int)held + 1);
        if (random.Next(2) == 0)
        {
            await ProcessAsync(payment.Refund(amount).Event);
        }
        else
        {
            var disputeId = StripePayloads.NewId("dp");
            await ProcessAsync(payment.Dispute(disputeId, "charge.dispute.funds_withdrawn", "needs_response", amount));
            await ProcessAsync(payment.Dispute(disputeId, "charge.dispute.closed", "lost", amount));
        }

        var disputeOf = await App.WithDbAsync(db => db.Donations.Where(d => d.Id == payment.DonationId).Select(d => d.DisputeId).SingleAsync());
        raised[disputeOf] -= amount;
    }

    private async Task<(Guid, Guid, long)> OfflineAsync(MoneyScenario scenario, Random random, Dictionary<Guid, long> raised)
    {
        var pence = random.Next(100, 30_001);
        var (disputeId, branch) = random.Next(3) switch
        {
            0 => (scenario.OtherDisputeId, scenario.OtherBranch),
            1 => (scenario.DisputeId, scenario.Lutterworth),
            _ => (scenario.DisputeId, scenario.Burton),
        };
        var gift = new OfflineGift(
            Guid.CreateVersion7(), disputeId, branch, DonationMethod.Cheque, pence, DateTimeOffset.UtcNow, "A payer", null, null, "Cheque");
        await using var scope = App.Scope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<OfflineMoney>().RecordAsync(gift, Admin, CancellationToken.None));
        raised[disputeId] += pence;
        return (gift.EntryId, disputeId, pence);
    }

    /// <returns>Whether the admin had to confirm taking the branch below zero.</returns>
    private async Task<bool> ReverseAsync((Guid Id, Guid DisputeId, long Pence) gift, Random random, Dictionary<Guid, long> raised)
    {
        var branch = await App.WithDbAsync(db => db.Donations.Where(d => d.Id == gift.Id).Select(d => d.ChosenBranchId!.Value).SingleAsync());
        var before = await BalanceAsync(branch);
        OfflineReversal? outcome;
        await using (var scope = App.Scope())
        {
            outcome = await scope.ServiceProvider.GetRequiredService<OfflineMoney>().ReverseAsync(gift.Id, "Bounced", false, Admin, CancellationToken.None);
        }

        if (outcome is OfflineReversal.Reversed)
        {
            Assert.True(await BalanceAsync(branch) >= 0, "A reversal took a branch below zero without asking.");
            raised[gift.DisputeId] -= gift.Pence;
            return false;
        }

        var overdraw = Assert.IsType<OfflineReversal.WouldOverdraw>(outcome);
        Assert.Equal(before - gift.Pence, overdraw.BalanceAfterPence);
        Assert.Equal(before, await BalanceAsync(branch));
        if (random.Next(2) == 0)
        {
            return false;
        }

        await using (var scope = App.Scope())
        {
            Assert.IsType<OfflineReversal.Reversed>(
                await scope.ServiceProvider.GetRequiredService<OfflineMoney>().ReverseAsync(gift.Id, "Bounced", true, Admin, CancellationToken.None));
        }

        raised[gift.DisputeId] -= gift.Pence;
        return true;
    }

    /// <summary>An admin pays a branch part or all of what it holds, as the payment page allows: never more.</summary>
    private async Task PayBranchAsync(Guid branchId, Random random)
    {
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<SolidarityDbContext>();
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerPostings>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var branch = await LedgerLocks.BranchAsync(db, branchId, CancellationToken.None);
        var owed = (await ledger.OwedByDisputeAsync(branch, CancellationToken.None)).Sum(d => d.Pence);
        if (owed <= 0)
        {
            return;
        }

        var pence = random.Next(2) == 0 ? owed : random.NextInt64(1, owed + 1);
        await ledger.RemittancePaidAsync(branch, Guid.CreateVersion7(), pence, DateTimeOffset.UtcNow, "Bank transfer", CancellationToken.None);
        await transaction.CommitAsync();
        Assert.True(await BalanceAsync(branchId) >= 0, "A remittance took a branch below zero.");
    }

    private Task<long> BalanceAsync(Guid branchId) =>
        App.WithDbAsync(async db => await db.LedgerEntries.Where(e => e.BranchId == branchId).SumAsync(e => (long?)e.AmountPence) ?? 0);

    private async Task ProcessAsync(params string[] payloads)
    {
        foreach (var payload in payloads)
        {
            await using var scope = App.Scope();
            var outcome = await scope.ServiceProvider.GetRequiredService<StripeEventProcessor>()
                .ProcessAsync(EventUtility.ParseEvent(payload, throwOnApiVersionMismatch: false), CancellationToken.None);
            Assert.NotEqual(WebhookOutcomes.UnknownDonation, outcome);
        }
    }
}
