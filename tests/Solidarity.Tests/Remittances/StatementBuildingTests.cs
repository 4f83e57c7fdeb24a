using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Infrastructure.Jobs;
using Solidarity.Web.Pages.Remittances;

namespace Solidarity.Tests.Remittances;

/// <summary>Producing statements: periods, balances carried from one statement to the next, reruns, failures, the recurring job.</summary>
public sealed class StatementBuildingTests(JobsSiteFixture fixture) : RemittancesTest(fixture)
{
    [Fact]
    public async Task Running_twice_for_the_same_period_gives_the_same_statement_not_a_second_one()
    {
        await GiveAsync(Burton, 2_500, WeekOneEnd.AddDays(-1), 58);
        await GiveAsync(Lutterworth, 1_000, WeekOneEnd.AddDays(-2), 35);

        Assert.Equal(2, await RunJobUntilAsync(WeekOneEnd));
        var first = Assert.Single(await StatementsAsync(Burton));
        Assert.Equal(0, await RunJobUntilAsync(WeekOneEnd));

        var again = Assert.Single(await StatementsAsync(Burton));
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.ClosingPence, again.ClosingPence);
        Assert.Equal(first.Id, await BuildAsync(Burton, WeekOneEnd));
        Assert.Single(await StatementsAsync(Lutterworth));
    }

    [Fact]
    public async Task A_statement_that_would_leave_out_an_entry_committed_after_its_periods_statement_is_refused_and_nothing_is_stored()
    {
        var donation = await GiveAsync(Burton, 10_000, WeekOneEnd.AddDays(-3), 170);
        await BuildAsync(Burton, WeekOneEnd);

        // Stamped in the first week (its transaction began then) but committed after that week's statement was made.
        await PostAsync(donation, LedgerEntryKind.Refund, -2_500, WeekOneEnd.AddMinutes(-1));
        await GiveAsync(Burton, 5_000, WeekOneEnd.AddDays(2), 95);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => BuildAsync(Burton, WeekOneEnd.AddDays(7)));

        Assert.Contains("would close at 14735p, but the ledger holds 12235p", refused.Message, StringComparison.Ordinal);
        Assert.Single(await StatementsAsync(Burton));
    }

    [Fact]
    public async Task A_period_is_not_closed_while_a_transaction_begun_before_its_end_is_still_open()
    {
        await GiveAsync(Burton, 2_500, WeekOneEnd.AddDays(-1), 58);
        await using var other = new NpgsqlConnection(App.ConnectionString);
        await other.OpenAsync();
        await using var open = await other.BeginTransactionAsync();
        await using var began = new NpgsqlCommand("SELECT now()", other, open);
        var periodEnd = ((DateTime)(await began.ExecuteScalarAsync())!).AddTicks(10);

        await Assert.ThrowsAsync<StatementNotSettledException>(() => BuildAsync(Burton, periodEnd));
        Assert.Empty(await StatementsAsync(Burton));

        await open.CommitAsync();
        Assert.NotNull(await BuildAsync(Burton, periodEnd));
    }

    [Fact]
    public async Task A_period_with_no_activity_gives_no_statement()
    {
        await GiveAsync(Burton, 2_500, WeekOneEnd.AddDays(-1), 58);
        await RunJobUntilAsync(WeekOneEnd);

        Assert.Equal(0, await RunJobUntilAsync(WeekOneEnd.AddDays(7)));

        Assert.Single(await StatementsAsync(Burton));
        Assert.Empty(await StatementsAsync(Heywood));
        Assert.Empty(await StatementsAsync(Lutterworth));
    }

    [Fact]
    public async Task Closing_balance_opens_the_next_statement_and_an_entry_recorded_at_the_boundary_belongs_to_the_next_period()
    {
        var donation = await GiveAsync(Burton, 10_000, WeekOneEnd.AddDays(-3), 170);
        await GiveAsync(Burton, 5_000, WeekOneEnd, 95, publicName: "On the boundary");
        await PostAsync(donation, LedgerEntryKind.Refund, -2_500, WeekOneEnd.AddDays(2));

        await RunJobUntilAsync(WeekOneEnd);
        await RunJobUntilAsync(WeekOneEnd.AddDays(7));

        var statements = await StatementsAsync(Burton);
        Assert.Equal(2, statements.Count);
        var (first, second) = (statements[0], statements[1]);
        Assert.Equal(10_000 - 170, first.ClosingPence);
        Assert.Equal(first.ClosingPence, second.OpeningPence);
        Assert.Equal(first.PeriodEnd, second.PeriodStart);
        Assert.Equal(5_000, second.CardDonationsPence);
        Assert.Equal(-2_500, second.RefundsPence);
        Assert.Equal(await LedgerSumAsync(Burton), second.ClosingPence);
    }

    [Fact]
    public async Task Refund_that_failed_after_a_statement_counted_it_is_netted_into_the_next_statements_refunds()
    {
        var donation = await GiveAsync(Burton, 10_000, WeekOneEnd.AddDays(-3), 170);
        await PostAsync(donation, LedgerEntryKind.Refund, -2_500, WeekOneEnd.AddDays(-1));
        await PostAsync(donation, LedgerEntryKind.Refund, -1_000, WeekOneEnd.AddDays(1));
        await PostAsync(donation, LedgerEntryKind.RefundReversed, 2_500, WeekOneEnd.AddDays(2));

        await RunJobUntilAsync(WeekOneEnd);
        await RunJobUntilAsync(WeekOneEnd.AddDays(7));

        var statements = await StatementsAsync(Burton);
        Assert.Equal(2, statements.Count);
        Assert.Equal(-2_500, statements[0].RefundsPence);
        Assert.Equal(1_500, statements[1].RefundsPence);
        Assert.Equal(statements[0].ClosingPence, statements[1].OpeningPence);
        Assert.Equal(statements[1].OpeningPence + statements[1].MovementPence, statements[1].ClosingPence);
        Assert.Equal(await LedgerSumAsync(Burton), statements[1].ClosingPence);
    }

    [Fact]
    public async Task A_run_that_dies_part_way_leaves_no_half_statement_and_the_rerun_completes_it_once()
    {
        await GiveAsync(Burton, 2_500, WeekOneEnd.AddDays(-1), 58);
        await GiveAsync(Lutterworth, 1_000, WeekOneEnd.AddDays(-2), 35);
        await GiveAsync(Lutterworth, 4_000, WeekOneEnd.AddDays(-2), 80);

        // The database fails the run after Lutterworth's statement row is written and before it commits, as a
        // process killed at that moment would.
        await ExecuteAsync($"""
            CREATE FUNCTION fail_statement() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'worker killed'; END $$;
            CREATE TRIGGER fail_statement AFTER INSERT ON "RemittanceStatements"
                FOR EACH ROW WHEN (NEW."BranchId" = '{Lutterworth}') EXECUTE FUNCTION fail_statement();
            """);
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => RunJobUntilAsync(WeekOneEnd));
        }
        finally
        {
            await ExecuteAsync("DROP TRIGGER fail_statement ON \"RemittanceStatements\"; DROP FUNCTION fail_statement();");
        }

        Assert.Single(await StatementsAsync(Burton));
        Assert.Empty(await StatementsAsync(Lutterworth));

        Assert.Equal(1, await RunJobUntilAsync(WeekOneEnd));

        Assert.Single(await StatementsAsync(Burton));
        var lutterworth = Assert.Single(await StatementsAsync(Lutterworth));
        Assert.Equal(5_000, lutterworth.CardDonationsPence);
        Assert.Equal(2, lutterworth.DonationCount);
        Assert.Equal(await LedgerSumAsync(Lutterworth), lutterworth.ClosingPence);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Over_random_ledgers_statements_chain_and_add_up_to_the_ledger(int seed)
    {
        var random = new Random(seed);
        var branches = new[] { Burton, Lutterworth, Heywood };
        const int Weeks = 6;
        var start = WeekOneEnd.AddDays(-7);
        var ends = Enumerable.Range(1, Weeks).Select(w => start.AddDays(7 * w)).ToArray();
        var kinds = new List<(Guid Branch, DateTimeOffset At, LedgerEntryKind Kind, long Pence)>();
        foreach (var branch in branches)
        {
            // Some weeks have nothing for a branch, so no statement for them.
            var quietWeek = random.Next(Weeks);
            for (var i = 0; i < 40; i++)
            {
                var week = random.Next(Weeks);
                if (week == quietWeek)
                {
                    continue;
                }

                var at = start.AddDays(7 * week).AddMinutes(random.Next(7 * 24 * 60));
                var pence = random.Next(100, 20_000);
                var method = random.Next(4) == 0 ? DonationMethod.Collection : DonationMethod.Card;
                var fee = method == DonationMethod.Card ? 20 + pence * 15 / 1_000 : 0;
                var donation = await GiveAsync(branch, pence, at, fee, method, publicName: $"Supporter {i}");
                kinds.Add((branch, at, method == DonationMethod.Card ? LedgerEntryKind.DonationReceived : LedgerEntryKind.OfflineDonation, pence));
                if (fee > 0)
                {
                    kinds.Add((branch, at.AddSeconds(1), LedgerEntryKind.ProcessingFee, -fee));
                }

                var later = at.AddHours(random.Next(1, 24 * 10));
                switch (random.Next(6))
                {
                    case 0 when method == DonationMethod.Card:
                        var refund = -random.Next(1, pence + 1);
                        await PostAsync(donation, LedgerEntryKind.Refund, refund, later);
                        kinds.Add((branch, later, LedgerEntryKind.Refund, refund));
                        break;
                    case 1 when method == DonationMethod.Card:
                        await PostAsync(donation, LedgerEntryKind.Chargeback, -pence, later);
                        kinds.Add((branch, later, LedgerEntryKind.Chargeback, -pence));
                        if (random.Next(2) == 0)
                        {
                            await PostAsync(donation, LedgerEntryKind.ChargebackReversed, pence, later.AddDays(3));
                            kinds.Add((branch, later.AddDays(3), LedgerEntryKind.ChargebackReversed, pence));
                        }

                        break;
                    case 2 when method != DonationMethod.Card:
                        await PostAsync(donation, LedgerEntryKind.OfflineDonationReversed, -pence, later);
                        kinds.Add((branch, later, LedgerEntryKind.OfflineDonationReversed, -pence));
                        break;
                }
            }
        }

        foreach (var end in ends)
        {
            await RunJobUntilAsync(end);
        }

        foreach (var branch in branches)
        {
            var statements = await StatementsAsync(branch);
            Assert.NotEmpty(statements);
            Assert.Equal(0, statements[0].OpeningPence);
            for (var i = 1; i < statements.Count; i++)
            {
                Assert.Equal(statements[i - 1].ClosingPence, statements[i].OpeningPence);
                Assert.Equal(statements[i - 1].PeriodEnd, statements[i].PeriodStart);
            }

            foreach (var statement in statements)
            {
                var period = kinds.Where(k => k.Branch == branch && k.At >= statement.PeriodStart && k.At < statement.PeriodEnd).ToList();
                Assert.NotEmpty(period);
                Assert.Contains(statement.PeriodEnd, ends);
                Assert.Equal(period.Where(k => k.Kind == LedgerEntryKind.DonationReceived).Sum(k => k.Pence), statement.CardDonationsPence);
                Assert.Equal(period.Where(k => k.Kind == LedgerEntryKind.ProcessingFee).Sum(k => k.Pence), statement.FeesPence);
                Assert.Equal(period.Where(k => k.Kind == LedgerEntryKind.Refund).Sum(k => k.Pence), statement.RefundsPence);
                Assert.Equal(period.Where(k => k.Kind == LedgerEntryKind.Chargeback).Sum(k => k.Pence), statement.ChargebacksPence);
                Assert.Equal(period.Where(k => k.Kind == LedgerEntryKind.ChargebackReversed).Sum(k => k.Pence), statement.ChargebackReversalsPence);
                Assert.Equal(
                    period.Where(k => k.Kind is LedgerEntryKind.OfflineDonation or LedgerEntryKind.OfflineDonationReversed).Sum(k => k.Pence),
                    statement.OfflinePence);
                Assert.Equal(period.Count, statement.EntryCount);

                var lines = await LinesAsync(statement);
                Assert.Equal(statement.DonationCount, lines.Count);
                Assert.Equal(statement.CardDonationsPence + statement.OfflinePence, lines.Sum(l => l.GrossPence));
                Assert.Equal(-statement.FeesPence, lines.Sum(l => l.FeePence));
            }

            // Weeks with entries have a statement each; the others none, and the last closing balance is the ledger.
            var activeWeeks = ends.Count(end => kinds.Any(k => k.Branch == branch && k.At >= end.AddDays(-7) && k.At < end));
            var firstEnd = statements[0].PeriodEnd;
            Assert.Equal(activeWeeks - ends.Count(e => e < firstEnd && kinds.Any(k => k.Branch == branch && k.At >= e.AddDays(-7) && k.At < e)), statements.Count);
            Assert.Equal(await LedgerSumAsync(branch, ends[^1]), statements[^1].ClosingPence);
            Assert.Equal(statements.Sum(s => s.MovementPence), statements[^1].ClosingPence);
        }
    }

    [Fact]
    public async Task Recurring_job_is_registered_weekly_in_London_and_produces_statements_on_a_real_job_server()
    {
        await GiveAsync(Burton, 2_500, WeekOneEnd.AddDays(-1), 58);
        await GiveAsync(Heywood, 1_500, WeekOneEnd.AddDays(-3), 43);
        RecurringJobs.Register(App.Services.GetRequiredService<IRecurringJobManager>(), App.Services.GetRequiredService<IConfiguration>());

        var storage = App.Services.GetRequiredService<JobStorage>();
        using (var connection = storage.GetConnection())
        {
            var recurring = Assert.Single(connection.GetRecurringJobs(), j => j.Id == BuildStatementsJob.RecurringId);
            Assert.Equal(new RemittanceSettings().StatementCron, recurring.Cron);
            Assert.Equal("0 6 * * 1", recurring.Cron);
            Assert.Equal(LondonClock.London.Id, recurring.TimeZoneId);
        }

        using var server = Fixture.StartJobServer("statements", workerCount: 1);
        App.Services.GetRequiredService<IRecurringJobManager>().Trigger(BuildStatementsJob.RecurringId);

        var periodEnd = StatementPeriods.LastClosable(DateTimeOffset.UtcNow, new RemittanceSettings());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await StatementsAsync(Burton)).Count == 0 || (await StatementsAsync(Heywood)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The job server did not produce the statements.");
            await Task.Delay(200);
        }

        var burton = Assert.Single(await StatementsAsync(Burton));
        Assert.Equal(periodEnd, burton.PeriodEnd);
        Assert.Equal(2_500 - 58, burton.ClosingPence);
        Assert.Equal(1_500 - 43, Assert.Single(await StatementsAsync(Heywood)).ClosingPence);
        Assert.Empty(await StatementsAsync(Lutterworth));
    }

    [Theory]
    [InlineData(9, null, 0)]
    [InlineData(10, null, 1)]
    [InlineData(0, "0", 1)]
    [InlineData(29, "30", 0)]
    public async Task A_period_is_closed_only_once_it_ended_at_least_the_settle_time_ago(int minutesAfterEnd, string? settleMinutes, int statements)
    {
        await GiveAsync(Burton, 2_500, WeekOneEnd.AddDays(-1), 58);
        var settings = new RemittanceSettings();
        if (settleMinutes is not null)
        {
            settings.SettleMinutes = int.Parse(settleMinutes, System.Globalization.CultureInfo.InvariantCulture);
        }

        await using var scope = App.Scope();
        var clock = new Solidarity.Tests.Infrastructure.TestClock { Now = WeekOneEnd.AddMinutes(minutesAfterEnd) };
        var job = new BuildStatementsJob(
            scope.ServiceProvider.GetRequiredService<StatementBuilder>(), Microsoft.Extensions.Options.Options.Create(settings), clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<BuildStatementsJob>.Instance);

        await job.RunAsync(CancellationToken.None);

        var made = await StatementsAsync(Burton);
        Assert.Equal(statements, made.Count);
        Assert.All(made, s => Assert.Equal(WeekOneEnd, s.PeriodEnd));
    }

    [Theory]
    [InlineData("2017-05-22T05:00:00+01:00", "2017-05-21T23:00:00Z")]
    [InlineData("2017-05-21T23:00:00Z", "2017-05-21T23:00:00Z")]
    [InlineData("2017-05-21T22:59:59Z", "2017-05-14T23:00:00Z")]
    [InlineData("2017-05-28T12:00:00+01:00", "2017-05-21T23:00:00Z")]
    [InlineData("2017-01-04T10:00:00Z", "2017-01-02T00:00:00Z")]
    [InlineData("2017-03-27T09:00:00+01:00", "2017-03-26T23:00:00Z")]
    public void Period_ends_at_the_last_monday_midnight_in_london_before_the_run(string now, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            StatementPeriods.LastEndBefore(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), DayOfWeek.Monday));

    private async Task<List<StatementLine>> LinesAsync(Solidarity.Core.Remittances.RemittanceStatement statement)
    {
        await using var scope = App.Scope();
        var queries = scope.ServiceProvider.GetRequiredService<StatementQueries>();
        var lines = new List<StatementLine>();
        await foreach (var line in queries.LinesAsync(statement.BranchId, statement.PeriodStart, statement.PeriodEnd, CancellationToken.None))
        {
            lines.Add(line);
        }

        return lines;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
