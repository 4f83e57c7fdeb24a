using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Solidarity.Core.Data;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Tests.Ledger;
using Solidarity.Web.Pages.Donations.Webhooks;
using Solidarity.Web.Pages.Ledger;
using Stripe;
using Stripe.Checkout;

namespace Solidarity.Tests.Donations.Webhooks;

/// <summary>
/// Paid Checkout Sessions arriving together are applied together, in one transaction: each exactly as it would be alone,
/// and whatever a batch cannot apply is left to the single-event path.
/// </summary>
public sealed class PaidSessionBatchTests(SiteFixture fixture) : SiteTest(fixture)
{
    private MoneyScenario _scenario = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _scenario = await MoneyScenario.SeedAsync(App);
    }

    [Fact]
    public async Task A_batch_applies_each_event_once_and_leaves_to_the_single_path_what_it_cannot_apply()
    {
        var paid = new CardPayment(await _scenario.CardDonationAsync(App, 2_500), 2_500);
        var mismatched = new CardPayment(await _scenario.CardDonationAsync(App, 1_000), 999);
        var unknown = new CardPayment(Guid.NewGuid(), 700);
        var delivered = new CardPayment(await _scenario.CardDonationAsync(App, 3_000), 3_000);
        var deliveredBefore = delivered.Completed();
        using (var client = App.CreateClient())
        {
            Assert.Equal("applied", await WebhookSender.DeliverAsync(client, deliveredBefore));
        }

        var first = paid.Completed();
        IReadOnlyList<PaidSession> batch =
        [
            Session(first, paid.DonationId, new StripeFee("txn_batch_paid", 62, 2_438)),
            Session(first, paid.DonationId),
            Session(mismatched.Completed(), mismatched.DonationId),
            Session(unknown.Completed(), unknown.DonationId),
            Session(paid.Completed(), paid.DonationId),
            Session(deliveredBefore, delivered.DonationId),
        ];

        var outcomes = await ApplyAsync(batch);

        Assert.Equal<IEnumerable<string?>>(["applied", "duplicate", "amount-mismatch", null, null, "duplicate"], outcomes);
        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal(2_500, entries.Where(e => e.DonationId == paid.DonationId && e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
        Assert.Equal(
            [-37, -25],
            entries.Where(e => e.DonationId == paid.DonationId && e.Kind == LedgerEntryKind.ProcessingFee).Select(e => e.AmountPence).Order().ToArray());
        Assert.DoesNotContain(entries, e => e.DonationId == mismatched.DonationId);
        Assert.Equal(3_000, entries.Where(e => e.DonationId == delivered.DonationId).Sum(e => e.AmountPence));

        var donation = await MoneyScenario.DonationAsync(App, paid.DonationId);
        Assert.Equal(DonationStatus.Paid, donation.Status);
        Assert.Equal((paid.SessionId, paid.PaymentIntentId), (donation.StripeCheckoutSessionId, donation.StripePaymentIntentId));
        Assert.Equal(DonationStatus.Pending, (await MoneyScenario.DonationAsync(App, mismatched.DonationId)).Status);

        var records = await App.WithDbAsync(db => db.StripeEvents.AsNoTracking().ToDictionaryAsync(e => e.EventId));
        Assert.Equal(3, records.Count);
        Assert.Equal(("applied", paid.DonationId), (records[batch[0].Event.Id].Outcome, records[batch[0].Event.Id].DonationId));
        Assert.Equal(("amount-mismatch", mismatched.DonationId), (records[batch[2].Event.Id].Outcome, records[batch[2].Event.Id].DonationId));
        await MoneyScenario.AssertTotalsMatchEntriesAsync(App);
    }

    [Fact]
    public async Task The_events_a_batch_leaves_are_applied_alone_by_their_own_delivery()
    {
        var paid = new CardPayment(await _scenario.CardDonationAsync(App, 2_500), 2_500);
        var second = paid.Completed();
        Assert.Equal<IEnumerable<string?>>(["applied", null], await ApplyAsync([Session(paid.Completed(), paid.DonationId), Session(second, paid.DonationId)]));

        using var client = App.CreateClient();
        Assert.Equal("applied", await WebhookSender.DeliverAsync(client, second));

        Assert.Equal(2_500, (await MoneyScenario.EntriesAsync(App)).Sum(e => e.AmountPence));
        Assert.Equal(2, await App.WithDbAsync(db => db.StripeEvents.CountAsync(e => e.Outcome == "applied")));
        await MoneyScenario.AssertTotalsMatchEntriesAsync(App);
    }

    [Fact]
    public async Task Many_payments_delivered_three_times_at_once_each_count_once()
    {
        var amounts = Enumerable.Range(1, 40).Select(i => 100L * i + i).ToArray();
        var payments = new List<CardPayment>();
        foreach (var amount in amounts)
        {
            payments.Add(new CardPayment(await _scenario.CardDonationAsync(App, amount), amount));
        }

        var deliveries = payments.Select(p => (p.DonationId, Payload: p.Completed()))
            .SelectMany(d => Enumerable.Repeat(d, 3))
            .OrderBy(_ => Random.Shared.Next())
            .ToArray();
        using var client = App.CreateClient();

        var outcomes = await Task.WhenAll(deliveries.Select(async d => (d.DonationId, Outcome: await WebhookSender.DeliverAsync(client, d.Payload))));

        Assert.All(outcomes.GroupBy(o => o.DonationId), g => Assert.Equal(["applied", "duplicate", "duplicate"], g.Select(o => o.Outcome).Order()));
        Assert.Equal(amounts.Sum(), (await MoneyScenario.EntriesAsync(App)).Sum(e => e.AmountPence));
        Assert.Equal(80, (await MoneyScenario.EntriesAsync(App)).Count);
        Assert.True(await App.WithDbAsync(db => db.Donations.AllAsync(d => d.Status == DonationStatus.Paid)));
        await MoneyScenario.AssertTotalsMatchEntriesAsync(App);
    }

    [Fact]
    public async Task Each_batch_is_measured_on_the_sites_meter_with_its_events_and_its_time()
    {
        var payments = new List<CardPayment>();
        for (var i = 0; i < 12; i++)
        {
            payments.Add(new CardPayment(await _scenario.CardDonationAsync(App, 500 + i), 500 + i));
        }

        using var client = App.CreateClient();
        var meters = App.Services.GetRequiredService<IMeterFactory>();
        var sizes = new List<int>();
        var durations = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // This site's meter only: other tests' sites run in the same process.
            if (instrument.Meter.Name == PaidSessionBatches.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, size, _, _) => { lock (sizes) { sizes.Add(size); } });
        listener.SetMeasurementEventCallback<double>((_, seconds, _, _) => { lock (durations) { durations.Add(seconds); } });
        listener.Start();

        await Task.WhenAll(payments.Select(p => WebhookSender.DeliverAsync(client, p.Completed())));

        lock (sizes)
        {
            Assert.Equal(payments.Count, sizes.Sum());
        }

        lock (durations)
        {
            Assert.Equal(sizes.Count, durations.Count);
            Assert.All(durations, d => Assert.True(d > 0));
        }
    }

    [Fact]
    public async Task A_batch_that_fails_leaves_nothing_behind_and_its_events_are_then_applied_alone()
    {
        var first = new CardPayment(await _scenario.CardDonationAsync(App, 1_200), 1_200);
        var faulty = new CardPayment(await _scenario.CardDonationAsync(App, 800), 800);
        var last = new CardPayment(await _scenario.CardDonationAsync(App, 1_500), 1_500);
        var payloads = new[] { first.Completed(), faulty.Completed(), last.Completed() };

        // A fault in the middle of posting one donation's entries, as a broken disk or a killed backend would be. DDL
        // takes no parameters; the id is a Guid.
        var fault = $$"""
            CREATE FUNCTION test_posting_fault() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'posting failed'; END $$;
            CREATE TRIGGER test_posting_fault BEFORE INSERT ON "LedgerEntries"
                FOR EACH ROW WHEN (NEW."DonationId" = '{{faulty.DonationId}}') EXECUTE FUNCTION test_posting_fault();
            """;
        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(fault));
        try
        {
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => ApplyAsync(
                [Session(payloads[0], first.DonationId), Session(payloads[1], faulty.DonationId), Session(payloads[2], last.DonationId)]));

            // The batch took no savepoint and needed none: its whole transaction is gone.
            Assert.Empty(await MoneyScenario.EntriesAsync(App));
            Assert.Equal(0, await App.WithDbAsync(db => db.StripeEvents.CountAsync()));
            Assert.True(await App.WithDbAsync(db => db.Donations.AllAsync(d => d.Status == DonationStatus.Pending)));

            // Each event then goes alone: the fault costs no other payment, and its own delivery is refused for Stripe to retry.
            using var client = App.CreateClient();
            Assert.Equal("applied", await WebhookSender.DeliverAsync(client, payloads[0]));
            Assert.Equal("applied", await WebhookSender.DeliverAsync(client, payloads[2]));
            using (var refused = await WebhookSender.SendAsync(client, payloads[1]))
            {
                Assert.False(refused.IsSuccessStatusCode);
            }
        }
        finally
        {
            await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
                """DROP TRIGGER test_posting_fault ON "LedgerEntries"; DROP FUNCTION test_posting_fault();"""));
        }

        using (var client = App.CreateClient())
        {
            Assert.Equal("applied", await WebhookSender.DeliverAsync(client, payloads[1]));
        }

        Assert.Equal(3_500, (await MoneyScenario.EntriesAsync(App)).Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
        await MoneyScenario.AssertTotalsMatchEntriesAsync(App);
    }

    [Fact]
    public async Task While_one_batch_waits_for_its_branches_the_next_records_its_events_and_locks_its_donations()
    {
        var first = new CardPayment(await _scenario.CardDonationAsync(App, 1_100), 1_100);
        var second = new CardPayment(await _scenario.CardDonationAsync(App, 1_300), 1_300);
        using var client = App.CreateClient();

        // A remittance payment in progress holds the branches, as RemittancePayments does while it pays.
        await using var paying = new NpgsqlConnection(App.ConnectionString);
        await paying.OpenAsync();
        await using var transaction = await paying.BeginTransactionAsync();
        await using (var lockBranches = new NpgsqlCommand("""SELECT 1 FROM "Branches" ORDER BY "Id" FOR UPDATE""", paying, transaction))
        {
            await lockBranches.ExecuteNonQueryAsync();
        }

        var firstDelivery = WebhookSender.DeliverAsync(client, first.Completed());
        Assert.Equal(1, await BatchesWaitingForBranchesAsync(1));

        // The second batch does not wait for the first: it too has recorded its event and locked its donation, and
        // waits only for the branches, to post.
        var secondDelivery = WebhookSender.DeliverAsync(client, second.Completed());
        Assert.Equal(2, await BatchesWaitingForBranchesAsync(2));
        Assert.False(firstDelivery.IsCompleted || secondDelivery.IsCompleted, "A payment was posted while the branches were held.");

        await transaction.CommitAsync();
        Assert.Equal(["applied", "applied"], await Task.WhenAll(firstDelivery, secondDelivery));
        Assert.Equal(2_400, (await MoneyScenario.EntriesAsync(App)).Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
        await MoneyScenario.AssertTotalsMatchEntriesAsync(App);
    }

    [Fact]
    public async Task The_round_trip_that_posts_a_batch_also_commits_it_so_its_branches_are_free_when_it_answers()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 1_400), 1_400);
        await using (var scope = App.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SolidarityDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var allocations = (await db.DonationAllocations.AsNoTracking().Where(a => a.DonationId == payment.DonationId).ToListAsync())
                .ToLookup(a => a.DonationId);
            var donations = await LedgerLocks.CardDonationsAsync(db, [payment.DonationId], allocations, CancellationToken.None);
            var branches = LedgerLocks.BranchesOnPosting(donations.Values);
            await scope.ServiceProvider.GetRequiredService<LedgerPostings>().PaymentsConfirmedAndCommitAsync(
                branches, [new ConfirmedPayment(branches[payment.DonationId], payment.PaymentIntentId, DateTimeOffset.UtcNow, null)], CancellationToken.None);

            // The caller's transaction is still open in its hands, and already over: another connection sees the entries
            // and takes the branches and the donation without waiting.
            await using var other = new NpgsqlConnection(App.ConnectionString);
            await other.OpenAsync();
            await using var otherTransaction = await other.BeginTransactionAsync();
            await using (var lockAll = new NpgsqlCommand(
                """SELECT 1 FROM "Branches" ORDER BY "Id" FOR UPDATE NOWAIT; SELECT 1 FROM "Donations" FOR UPDATE NOWAIT""", other, otherTransaction))
            {
                await lockAll.ExecuteNonQueryAsync();
            }

            await otherTransaction.RollbackAsync();
            Assert.Equal(1_400, (await MoneyScenario.EntriesAsync(App)).Where(e => e.DonationId == payment.DonationId).Sum(e => e.AmountPence));
        }

        // Disposing the finished transaction rolled nothing back.
        Assert.Equal(1_400, (await MoneyScenario.EntriesAsync(App)).Where(e => e.DonationId == payment.DonationId).Sum(e => e.AmountPence));
        await MoneyScenario.AssertTotalsMatchEntriesAsync(App);
    }

    /// <summary>How many backends wait to lock branches, polled until there are <paramref name="expected"/> or a generous bound passes.</summary>
    private async Task<int> BatchesWaitingForBranchesAsync(int expected)
    {
        static int LockingBranches(IReadOnlyList<string> waiting) =>
            waiting.Count(q => q.Contains("\"Branches\"", StringComparison.Ordinal) && q.Contains("FOR UPDATE", StringComparison.Ordinal));

        return LockingBranches(await LockWaits.UntilAsync(App.ConnectionString, waiting => LockingBranches(waiting) >= expected, TimeSpan.FromSeconds(30)));
    }

    private async Task<string?[]> ApplyAsync(IReadOnlyList<PaidSession> batch)
    {
        await using var scope = App.Scope();
        return (await scope.ServiceProvider.GetRequiredService<StripeEventProcessor>().ApplyPaidSessionsAsync(batch, CancellationToken.None)).Outcomes;
    }

    private static PaidSession Session(string payload, Guid donationId, StripeFee? fee = null)
    {
        var stripeEvent = EventUtility.ParseEvent(payload, throwOnApiVersionMismatch: false);
        return new PaidSession(stripeEvent, (Session)stripeEvent.Data.Object, donationId, null, fee);
    }
}
