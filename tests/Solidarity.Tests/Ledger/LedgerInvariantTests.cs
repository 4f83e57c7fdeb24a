using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Ledger;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Ledger;
using Solidarity.Web.Pages.Donations.Webhooks;
using Stripe;

namespace Solidarity.Tests.Ledger;

/// <summary>
/// Random histories of donations, refunds and chargebacks, delivered with duplicates and in shuffled
/// order, must leave a ledger that keeps every invariant and matches what actually happened.
/// </summary>
public sealed class LedgerInvariantTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const int Histories = 200;

    private StripeStandIn _stripe = default!;
    private WebApplicationFactory<Program> _site = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

        // A dispute can arrive before anything else about its charge; the site then asks Stripe for the charge.
        _stripe = await StripeStandIn.StartAsync();
        _site = App.WithWebHostBuilder(b =>
        {
            b.UseSetting("Stripe:SecretKey", "sk_test_standin_key");
            b.UseSetting("Stripe:ApiBase", _stripe.BaseUrl);
        });
    }

    public override async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    private sealed record History(
        Guid DonationId, Guid DisputeId, long Amount, long Fee, IReadOnlyDictionary<string, long> Refunds,
        string? DisputeId_, long Disputed, bool DisputeWon, IReadOnlyList<string> Events)
    {
        public long ExpectedRaised => Amount - Refunds.Values.Sum() - (DisputeId_ is not null && !DisputeWon ? Disputed : 0);
    }

    [Fact]
    public async Task Random_histories_in_any_order_keep_every_ledger_invariant()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        var random = new Random(20_170_517);
        var histories = new List<History>();
        for (var i = 0; i < Histories; i++)
        {
            histories.Add(await NewHistoryAsync(scenario, random));
        }

        using var client = _site.CreateClient();
        foreach (var (history, index) in histories.Select((h, i) => (h, i)))
        {
            foreach (var payload in history.Events)
            {
                // One history in ten goes through HTTP, signature and all; the rest straight to the processor, for speed.
                if (index % 10 == 0)
                {
                    await WebhookSender.DeliverAsync(client, payload);
                }
                else
                {
                    await ProcessAsync(payload);
                }
            }
        }

        var entries = await MoneyScenario.EntriesAsync(App);
        AssertInvariants(scenario, histories, entries);
        await MoneyScenario.AssertTotalsMatchEntriesAsync(App);
        await AssertQueriesMatchEntriesAsync(scenario, histories, entries);

        var events = await App.WithDbAsync(db => db.StripeEvents.CountAsync());
        foreach (var payload in histories.SelectMany(h => h.Events).Distinct())
        {
            Assert.Equal(WebhookOutcomes.Duplicate, await ProcessAsync(payload));
        }

        Assert.Equal(entries.Select(e => e.Key), (await MoneyScenario.EntriesAsync(App)).Select(e => e.Key));
        Assert.Equal(events, await App.WithDbAsync(db => db.StripeEvents.CountAsync()));
    }

    private async Task<History> NewHistoryAsync(MoneyScenario scenario, Random random)
    {
        var amount = random.Next(100, 250_001);
        var (disputeId, branch) = random.Next(4) switch
        {
            0 => (scenario.OtherDisputeId, (Guid?)scenario.OtherBranch),
            1 => (scenario.DisputeId, scenario.Burton),
            _ => (scenario.DisputeId, (Guid?)null),
        };
        var payment = new CardPayment(await scenario.CardDonationAsync(App, amount, branch, disputeId), amount);
        var events = new List<string> { payment.Completed() };
        var charge = StripePayloads.Charge(payment.DonationId, payment.ChargeId, payment.PaymentIntentId, amount).ToJsonString();
        _stripe.On("GET", $"/v1/charges/{payment.ChargeId}", _ => new StripeAnswer(200, charge));

        var fee = 20 + amount * 15 / 1_000;
        if (random.Next(2) == 0)
        {
            events.Add(payment.ChargeSucceeded(StripePayloads.BalanceTransaction(StripePayloads.NewId("txn"), payment.ChargeId, amount, fee)));
        }
        else
        {
            fee = 0;
        }

        var refunds = new Dictionary<string, long>();
        long left = amount;
        for (var r = random.Next(4); r > 0 && left > 0; r--)
        {
            var refund = random.Next(3) == 0 ? left : random.Next(1, (int)left + 1);
            var (refundId, refunded) = payment.Refund(refund);
            refunds[refundId] = refund;
            events.Add(refunded);
            left -= refund;
        }

        string? stripeDisputeId = null;
        long disputed = 0;
        var won = false;
        if (left > 0 && random.Next(3) == 0)
        {
            stripeDisputeId = StripePayloads.NewId("dp");
            disputed = random.Next(2) == 0 ? left : random.Next(1, (int)left + 1);
            won = random.Next(2) == 0;
            events.Add(payment.Dispute(stripeDisputeId, "charge.dispute.created", "needs_response", disputed));
            events.Add(payment.Dispute(stripeDisputeId, "charge.dispute.closed", won ? "won" : "lost", disputed));
        }

        foreach (var duplicate in events.Where(_ => random.Next(3) == 0).ToList())
        {
            events.Add(duplicate);
        }

        return new History(payment.DonationId, disputeId, amount, fee, refunds, stripeDisputeId, disputed, won, [.. events.OrderBy(_ => random.Next())]);
    }

    private static void AssertInvariants(MoneyScenario scenario, List<History> histories, List<LedgerEntry> entries)
    {
        Assert.Equal(entries.Count, entries.Select(e => e.Key).Distinct(StringComparer.Ordinal).Count());
        var byDonation = entries.ToLookup(e => e.DonationId);
        foreach (var history in histories)
        {
            var mine = byDonation[history.DonationId].ToList();
            Assert.Equal(history.Amount, mine.Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
            Assert.Equal(-history.Fee, mine.Where(e => e.Kind == LedgerEntryKind.ProcessingFee).Sum(e => e.AmountPence));
            foreach (var (refundId, refund) in history.Refunds)
            {
                Assert.Equal(-refund, mine.Where(e => e.StripeObjectId == refundId).Sum(e => e.AmountPence));
            }

            Assert.Equal(-history.Disputed, mine.Where(e => e.Kind == LedgerEntryKind.Chargeback).Sum(e => e.AmountPence));
            Assert.Equal(history.DisputeWon ? history.Disputed : 0, mine.Where(e => e.Kind == LedgerEntryKind.ChargebackReversed).Sum(e => e.AmountPence));
            foreach (var branch in mine.GroupBy(e => e.BranchId))
            {
                var received = branch.Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence);
                var raised = branch.Where(e => e.Kind is not (LedgerEntryKind.ProcessingFee or LedgerEntryKind.ChargebackFee)).Sum(e => e.AmountPence);
                Assert.InRange(raised, 0, received);
            }

            Assert.Equal(history.ExpectedRaised, mine.Where(e => e.Kind is not LedgerEntryKind.ProcessingFee).Sum(e => e.AmountPence));
        }

        Assert.All(entries, e => Assert.True(
            e.DisputeId == scenario.OtherDisputeId ? e.BranchId == scenario.OtherBranch : e.BranchId != scenario.OtherBranch,
            "An entry was posted to a branch that is not its dispute's beneficiary."));
    }

    private async Task AssertQueriesMatchEntriesAsync(MoneyScenario scenario, List<History> histories, List<LedgerEntry> entries)
    {
        await using var scope = App.Scope();
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerQueries>();
        var balances = await ledger.BranchBalancesAsync(CancellationToken.None);
        Assert.Equal(
            entries.GroupBy(e => e.BranchId).ToDictionary(g => g.Key, g => g.Sum(e => e.AmountPence)).OrderBy(kv => kv.Key),
            balances.ToDictionary(b => b.BranchId, b => b.OwedPence).OrderBy(kv => kv.Key));

        foreach (var money in await ledger.ForDisputesAsync([scenario.DisputeId, scenario.OtherDisputeId], CancellationToken.None))
        {
            var mine = histories.Where(h => h.DisputeId == money.DisputeId).ToList();
            Assert.Equal(mine.Sum(h => h.ExpectedRaised), money.RaisedPence);
            Assert.True(money.RaisedPence >= 0);
            Assert.Equal(-mine.Sum(h => h.Fee), money.FeesPence);
            Assert.Equal(mine.Count(h => h.ExpectedRaised > 0), money.Supporters);
            Assert.Equal(entries.Where(e => e.DisputeId == money.DisputeId).Sum(e => e.AmountPence), money.NetPence);
        }
    }

    private async Task<string> ProcessAsync(string payload)
    {
        await using var scope = _site.Services.CreateAsyncScope();
        var processor = scope.ServiceProvider.GetRequiredService<StripeEventProcessor>();
        return await processor.ProcessAsync(EventUtility.ParseEvent(payload, throwOnApiVersionMismatch: false), CancellationToken.None);
    }
}
