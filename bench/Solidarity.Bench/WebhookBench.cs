using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Solidarity.Core.Disputes;
using Solidarity.Core.Donations;
using Solidarity.Core.Amounts;
using Solidarity.Testing;
using Solidarity.Web.Demo;
using Solidarity.Web.Pages.Donations.Webhooks;

namespace Solidarity.Bench;

/// <summary>
/// Webhook throughput: distinct signed checkout.session.completed events, each verified, recorded once and posted to
/// the ledger (two entries, a 60/40 split), through the in-process site on PostgreSQL; first from one sender, then
/// from <see cref="AnchorClients"/> senders at once (or as many as asked). Beside them, an anchor in the manner of
/// pgbench: single-row INSERTs with a unique key from <see cref="AnchorClients"/> clients, on the same server, so the
/// ratio says how much of what the server can commit one row at a time the webhook path achieves.
/// </summary>
internal static class WebhookBench
{
    private const int Warmup = 100;

    /// <summary>
    /// Paid donations already in the tables when the run starts: a dispute goes viral after weeks of giving, and a table
    /// of a few thousand rows would have the planner read it whole rather than by its keys, as it never would in use.
    /// </summary>
    private const int History = 20_000;

    /// <summary>
    /// The anchor's clients, and by default as many senders: Stripe sends a busy day's events many at once, and the goal is
    /// measured at equal concurrency.
    /// </summary>
    public const int AnchorClients = 32;
    private static readonly TimeSpan AnchorDuration = TimeSpan.FromSeconds(10);

    /// <param name="senders">How many requests are in flight at once in the concurrent run and the floor.</param>
    public static async Task<int> RunAsync(int perRun, int senders)
    {
        await using var server = await TestPostgres.StartAsync();
        await using var app = new WithFloorEndpoint();
        await app.InitialiseAsync(server, "bench");
        Console.WriteLine($"PostgreSQL: {server.Description}; {Environment.ProcessorCount} cores; {Machine.Load()}");
        await DemoData.SeedAsync(app.Services, CancellationToken.None);
        var seeded = await VolumeSeeder.SeedAsync(app.Services, History, 0, CancellationToken.None);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"History: {seeded.Donations:N0} paid donations ({seeded.LedgerEntries:N0} ledger entries) in {seeded.Elapsed.TotalSeconds:F1} s"));

        var donations = await SeedAsync(app, Warmup + 2 * perRun);
        var payloads = donations.Select(CompletedEvent).ToArray();
        using var client = app.CreateClient();

        var postmaster = Machine.PostgresServerPid(await BackendPidAsync(app.ConnectionString));
        await SendAllAsync(client, payloads[..Warmup], 1);
        var sequential = await SendAllAsync(client, payloads[Warmup..(Warmup + perRun)], 1);

        // Autovacuum would have analysed the tables after the thousands of rows the sequential run wrote.
        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("ANALYZE"));
        var before = Cpu.Now(postmaster);
        TimeSpan concurrent;
        BatchFigures batches;
        using (var listener = new BatchListener())
        {
            concurrent = await SendAllAsync(client, payloads[(Warmup + perRun)..], senders);
            batches = listener.Figures;
        }

        var concurrentCpu = Cpu.Now(postmaster) - before;

        // The floor: the same requests, signatures checked and events read as the webhook does, then answered with no
        // database work at all. What the webhook achieves beyond this is what its processing costs.
        await SendAllAsync(client, payloads[..Warmup], senders, WithFloorEndpoint.Path);
        before = Cpu.Now(postmaster);
        var floor = await SendAllAsync(client, payloads[(Warmup + perRun)..], senders, WithFloorEndpoint.Path);
        var floorCpu = Cpu.Now(postmaster) - before;

        var benchDispute = donations[0].DisputeId;
        var (entries, events) = await app.WithDbAsync(async db =>
            (await db.LedgerEntries.CountAsync(e => e.DisputeId == benchDispute), await db.StripeEvents.CountAsync()));
        if (entries != 2 * donations.Count || events != donations.Count)
        {
            throw new InvalidOperationException($"Expected {2 * donations.Count} entries and {donations.Count} events; found {entries} and {events}.");
        }

        before = Cpu.Now(postmaster);
        var (inserts, anchorTime) = await InsertAnchorAsync(app.ConnectionString);
        var anchorCpu = Cpu.Now(postmaster) - before;

        Report("sequential, 1 sender", perRun, sequential);
        Report($"concurrent, {senders} senders", perRun, concurrent);
        Report($"floor, {senders} senders", perRun, floor);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{$"anchor, {AnchorClients} clients",-24} {inserts,6} single-row INSERTs in {anchorTime.TotalSeconds,6:F2} s = {inserts / anchorTime.TotalSeconds,7:F0} inserts/s"));
        var anchorRate = inserts / anchorTime.TotalSeconds;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"webhook events/s to anchor inserts/s: sequential {perRun / sequential.TotalSeconds / anchorRate * 100:F1}%, concurrent {perRun / concurrent.TotalSeconds / anchorRate * 100:F1}%  [goal: concurrent >= 25%{(senders == AnchorClients ? $": {(perRun / concurrent.TotalSeconds >= anchorRate / 4 ? "met" : "MISSED")}" : $", judged at {AnchorClients} senders")}]; floor {perRun / floor.TotalSeconds / anchorRate * 100:F1}%"));
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Batches, concurrent: {batches.Count} of {batches.Events / (double)Math.Max(1, batches.Count):F1} events on average, {batches.Seconds * 1000 / Math.Max(1, batches.Count):F2} ms each from first statement to commit ({batches.Seconds / concurrent.TotalSeconds * 100:F0}% of the run)"));
        ReportCpu("CPU per event, concurrent:", concurrentCpu, perRun, "the site and its senders");
        ReportCpu("CPU per floor request:", floorCpu, perRun, "the site and its senders");
        ReportCpu("CPU per anchor insert:", anchorCpu, inserts, "the clients");
        Console.WriteLine($"Checked: {events} events recorded once, {entries} ledger entries. After the runs: {Machine.Load()}");
        return 0;
    }

    /// <summary>
    /// pgbench's question for this server: how many single-row INSERTs with a unique key it commits per second from
    /// <see cref="AnchorClients"/> clients, each on its own connection with a prepared statement, one transaction per
    /// row, for <see cref="AnchorDuration"/>. The scratch table has a text key of the ledger's length, uniquely indexed.
    /// </summary>
    private static async Task<(int Inserts, TimeSpan Elapsed)> InsertAnchorAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var create = dataSource.CreateCommand("""
            CREATE TABLE bench_insert_anchor (
                "Id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                "Key" varchar(300) NOT NULL UNIQUE,
                "AmountPence" bigint NOT NULL,
                "RecordedAt" timestamptz NOT NULL DEFAULT now())
            """))
        {
            await create.ExecuteNonQueryAsync();
        }

        var connections = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < AnchorClients; i++)
            {
                connections.Add(await dataSource.OpenConnectionAsync());
            }

            var inserted = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(connections.Select((connection, client) => Task.Run(async () =>
            {
                await using var insert = new NpgsqlCommand("""INSERT INTO bench_insert_anchor ("Key", "AmountPence") VALUES ($1, $2)""", connection);
                var key = new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Varchar };
                var amount = new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint };
                insert.Parameters.Add(key);
                insert.Parameters.Add(amount);
                await insert.PrepareAsync();
                for (var row = 0; clock.Elapsed < AnchorDuration; row++)
                {
                    key.TypedValue = $"anchor:{client}:{row}:received:{Guid.CreateVersion7()}";
                    amount.TypedValue = 100 + row;
                    await insert.ExecuteNonQueryAsync();
                    Interlocked.Increment(ref inserted);
                }
            })));
            return (inserted, clock.Elapsed);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private readonly record struct BatchFigures(int Count, long Events, double Seconds);

    /// <summary>Sums the batches the site measures on its meter (<see cref="PaidSessionBatches.MeterName"/>) while it listens.</summary>
    private sealed class BatchListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Lock _gate = new();
        private int _count;
        private long _events;
        private double _seconds;

        public BatchListener()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PaidSessionBatches.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            // Two batches in progress at once record their figures from two threads.
            _listener.SetMeasurementEventCallback<int>((_, size, _, _) =>
            {
                lock (_gate)
                {
                    _count++;
                    _events += size;
                }
            });
            _listener.SetMeasurementEventCallback<double>((_, seconds, _, _) =>
            {
                lock (_gate)
                {
                    _seconds += seconds;
                }
            });
            _listener.Start();
        }

        public BatchFigures Figures
        {
            get
            {
                lock (_gate)
                {
                    return new(_count, _events, _seconds);
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    private static void ReportCpu(string label, Cpu used, int count, string process) => Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{label,-26} {used.Own.TotalMilliseconds / count:F3} ms in this process ({process}), {used.Postgres.TotalMilliseconds / count:F3} ms in PostgreSQL"));

    /// <summary>CPU time used so far by this process and by the PostgreSQL server.</summary>
    private readonly record struct Cpu(TimeSpan Own, TimeSpan Postgres)
    {
        public static Cpu Now(int serverPid) => new(Machine.OwnCpu(), Machine.PostgresCpu(serverPid));

        public static Cpu operator -(Cpu after, Cpu before) => new(after.Own - before.Own, after.Postgres - before.Postgres);
    }

    /// <summary>A backend of the server, whose parent is the server's postmaster, to find the server's processes by.</summary>
    private static async Task<int> BackendPidAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection.ProcessID;
    }

    private static async Task<TimeSpan> SendAllAsync(HttpClient client, string[] batch, int senders, string path = "/webhooks/stripe")
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < batch.Length; i = Interlocked.Increment(ref next))
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path)
                {
                    Content = new StringContent(batch[i], Encoding.UTF8, "application/json"),
                };
                request.Headers.TryAddWithoutValidation("Stripe-Signature", Sign(batch[i]));
                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode || body != "applied")
                {
                    throw new InvalidOperationException($"Delivery answered {(int)response.StatusCode}: {body}");
                }
            }
        }));
        return clock.Elapsed;
    }

    private static void Report(string label, int count, TimeSpan elapsed) => Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{label,-24} {count,6} events in {elapsed.TotalSeconds,6:F2} s = {count / elapsed.TotalSeconds,7:F0} events/s ({elapsed.TotalMilliseconds / count:F2} ms each)"));

    private static string Sign(string payload)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(SolidarityApp.WebhookSecret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    private static string CompletedEvent(Donation donation) => new JsonObject
    {
        ["id"] = "evt_bench_" + donation.Id.ToString("N"),
        ["object"] = "event",
        ["api_version"] = Stripe.StripeConfiguration.ApiVersion,
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["type"] = "checkout.session.completed",
        ["data"] = new JsonObject
        {
            ["object"] = new JsonObject
            {
                ["id"] = donation.StripeCheckoutSessionId,
                ["object"] = "checkout.session",
                ["amount_total"] = donation.AmountPence,
                ["client_reference_id"] = donation.Id.ToString(),
                ["currency"] = "gbp",
                ["metadata"] = new JsonObject { ["donation_id"] = donation.Id.ToString() },
                ["mode"] = "payment",
                ["payment_intent"] = "pi_bench_" + donation.Id.ToString("N"),
                ["payment_status"] = "paid",
                ["status"] = "complete",
            },
        },
    }.ToJsonString();

    private static async Task<List<Donation>> SeedAsync(SolidarityApp app, int count) => await app.WithDbAsync(async db =>
    {
        var union = new Union { Name = "Bench Union" };
        var first = new Branch { Code = "BENCH1", Name = "First", Union = union, PostalAddress = "1 Street", ContactName = "Contact" };
        var second = new Branch { Code = "BENCH2", Name = "Second", Union = union, PostalAddress = "2 Street", ContactName = "Contact" };
        var dispute = new Dispute
        {
            Slug = "bench", Title = "Bench", Employer = "Employer", Union = union, Summary = "s", Body = "b",
            Beneficiaries =
            [
                new BeneficiaryBranch { Branch = first, BranchId = first.Id, ShareBasisPoints = 6_000 },
                new BeneficiaryBranch { Branch = second, BranchId = second.Id, ShareBasisPoints = 4_000 },
            ],
        };
        db.AddRange(union, first, second, dispute);
        var random = new Random(17);
        var donations = Enumerable.Range(0, count).Select(_ =>
        {
            var amount = random.Next(100, 100_000);
            var parts = Allocation.Split(amount, [6_000, 4_000]);
            var donation = new Donation
            {
                DisputeId = dispute.Id, Method = DonationMethod.Card, Status = DonationStatus.Pending, AmountPence = amount,
                CreatedAt = DateTimeOffset.UtcNow,
                Allocations =
                [
                    new DonationAllocation { BranchId = first.Id, AmountPence = parts[0] },
                    new DonationAllocation { BranchId = second.Id, AmountPence = parts[1] },
                ],
            };
            donation.StripeCheckoutSessionId = "cs_bench_" + donation.Id.ToString("N");
            return donation;
        }).ToList();
        db.Donations.AddRange(donations);
        await db.SaveChangesAsync();

        // A site that has been taking donations has statistics on its tables: autovacuum analyses a table within a
        // minute of a load like this one. Without them the planner takes the donations for the handful the demo left.
        await db.Database.ExecuteSqlRawAsync("ANALYZE");
        return donations;
    });
}

/// <summary>
/// The site with one more endpoint, ahead of all its middleware, that does what the webhook does before its processing:
/// reads the body, checks the signature with the site's secret and reads the event as the webhook does, then answers.
/// </summary>
internal sealed class WithFloorEndpoint : SolidarityApp
{
    public const string Path = "/bench/verify-and-parse";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddTransient<IStartupFilter, FloorFilter>());
    }

    private sealed class FloorFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map(Path, floor => floor.Run(async context =>
            {
                using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
                var json = await reader.ReadToEndAsync(context.RequestAborted);
                Stripe.EventUtility.ValidateSignature(
                    json, context.Request.Headers["Stripe-Signature"].ToString(), WebhookSecret, 300, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                var parsed = CheckoutSessionEventReader.TryRead(json) ?? Stripe.EventUtility.ParseEvent(json, throwOnApiVersionMismatch: false);
                await context.Response.WriteAsync(parsed.Id is null ? "malformed" : "applied", context.RequestAborted);
            }));
            next(app);
        };
    }
}
