using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Solidarity.Core.Disputes;
using Solidarity.Core.Remittances;
using Solidarity.Testing;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Remittances;

namespace Solidarity.Bench;

/// <summary>
/// A week's statement for a branch with many donations: the statement built from the ledger, then its CSV, timed
/// beside a raw COPY of the same rows, and its PDF, with the memory the process used while doing it. Run for a small
/// and a large branch, so that memory growing with the number of donations would show.
/// </summary>
internal static class StatementBench
{
    private const int Rounds = 3;

    /// <summary>
    /// Rows each way streams untimed first, in two rounds or more: .NET compiles a method quickly, then again optimised
    /// once it has run a while, and a site that has been up for a while runs the optimised code. Without them a small
    /// statement times the compiler, and on a busy machine the optimising takes a while to catch up.
    /// </summary>
    private const int WarmUpRows = 200_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [20_000, 200_000];
        await using var server = await TestPostgres.StartAsync();
        await using var app = new SolidarityApp();
        await app.InitialiseAsync(server, "bench_statements");
        Console.WriteLine($"PostgreSQL: {server.Description}; {Environment.ProcessorCount} cores; server GC: {System.Runtime.GCSettings.IsServerGC}");

        var periodEnd = LondonClock.FromLondon(new DateTime(2017, 5, 22));
        foreach (var size in sizes)
        {
            var branchId = await SeedAsync(app, size, periodEnd);
            await MeasureAsync(app, size, branchId, periodEnd);
        }

        return 0;
    }

    private static async Task MeasureAsync(SolidarityApp app, int size, Guid branchId, DateTimeOffset periodEnd)
    {
        Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var sampler = new PeakSampler();
        var clock = Stopwatch.StartNew();

        await using var scope = app.Scope();
        var builder = scope.ServiceProvider.GetRequiredService<StatementBuilder>();
        var (outcome, statementId) = await builder.BuildAsync(branchId, periodEnd, CancellationToken.None);
        var built = clock.Elapsed;
        var files = scope.ServiceProvider.GetRequiredService<StatementFiles>();
        var facts = await files.FindAsync(statementId!.Value, branchId, CancellationToken.None) ?? throw new InvalidOperationException("No statement.");

        var csvPath = Path.GetTempFileName();
        var copyPath = Path.GetTempFileName();
        var pdfPath = Path.GetTempFileName();
        try
        {
            // The anchor: the same rows as PostgreSQL sends them, straight to a file. Taken turn about with the CSV, best
            // of three each after the warm-up rounds, so that both meet the same warm cache and the same neighbours.
            var copyTime = TimeSpan.MaxValue;
            var csvTime = TimeSpan.MaxValue;
            for (var round = -Math.Max(2, WarmUpRows / size); round < Rounds; round++)
            {
                clock.Restart();
                await RawCopyAsync(app.ConnectionString, facts.Statement, copyPath);
                copyTime = round < 0 ? copyTime : Min(copyTime, clock.Elapsed);

                clock.Restart();
                await using (var csv = File.Create(csvPath))
                {
                    await files.WriteCsvAsync(csv, facts, CancellationToken.None);
                }

                csvTime = round < 0 ? csvTime : Min(csvTime, clock.Elapsed);
            }

            var csvPeak = sampler.TakePeak();
            clock.Restart();
            int pages;
            await using (var pdf = File.Create(pdfPath))
            {
                pages = await files.WritePdfAsync(pdf, facts, CancellationToken.None);
            }

            var pdfTime = clock.Elapsed;
            var pdfPeak = sampler.TakePeak();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            Collect();
            var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                {size:N0} donations ({outcome}, {facts.Statement.DonationCount:N0} lines, closing {StatementPdf.Amount(facts.Statement.ClosingPence)}):
                  statement (SQL aggregates)  {built.TotalSeconds,8:F2} s
                  raw COPY of the same rows   {copyTime.TotalSeconds,8:F2} s  {Megabytes(copyPath),7:F1} MB  best of {Rounds}
                  CSV                         {csvTime.TotalSeconds,8:F2} s  {Megabytes(csvPath),7:F1} MB  best of {Rounds}; peak managed heap {csvPeak.Heap / 1048576.0,6:F1} MB, peak working set {csvPeak.WorkingSet / 1048576.0,6:F1} MB
                  PDF                         {pdfTime.TotalSeconds,8:F2} s  {Megabytes(pdfPath),7:F1} MB  {new FileInfo(pdfPath).Length:N0} bytes, {pages:N0} pages; peak managed heap {pdfPeak.Heap / 1048576.0,6:F1} MB, peak working set {pdfPeak.WorkingSet / 1048576.0,6:F1} MB
                  allocated in all            {allocated / 1048576.0,8:F1} MB; GC heap before {heapBefore / 1048576.0:F1} MB, after {heapAfter / 1048576.0:F1} MB
                  process peak working set    {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0,8:F1} MB (since start)
                  CSV {csvTime.TotalSeconds:F2} s   raw COPY {copyTime.TotalSeconds:F2} s   ratio {csvTime / copyTime:F2}
                """));
        }
        finally
        {
            File.Delete(csvPath);
            File.Delete(copyPath);
            File.Delete(pdfPath);
        }
    }

    /// <summary>
    /// <c>COPY (the statement's lines query) TO STDOUT (FORMAT BINARY)</c>, its bytes written to a file as they come:
    /// the same work for PostgreSQL as the CSV's own export, and the least any client can take to receive the rows,
    /// with nothing read, decoded or formatted. The CSV's time over this one is what the site itself costs.
    /// </summary>
    private static async Task RawCopyAsync(string connectionString, RemittanceStatement statement, string path)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var sql = StatementQueries.LinesCopySql(statement.BranchId, statement.PeriodStart, statement.PeriodEnd);
        await using var copy = await connection.BeginRawBinaryCopyAsync($"COPY ({sql}) TO STDOUT (FORMAT BINARY)");
        // The stream gives one row per read: a 64 KiB file buffer gathers them, as the CSV writes whole blocks.
        await using var file = File.Create(path, 64 * 1024);
        await copy.CopyToAsync(file);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static double Megabytes(string path) => new FileInfo(path).Length / 1024.0 / 1024;

    /// <summary>A branch of its own with <paramref name="count"/> paid card donations and their fees in the week before <paramref name="periodEnd"/>, inserted by PostgreSQL itself.</summary>
    private static async Task<Guid> SeedAsync(SolidarityApp app, int count, DateTimeOffset periodEnd)
    {
        var (disputeId, branchId) = await app.WithDbAsync(async db =>
        {
            var union = new Union { Name = $"Union {count}" };
            var branch = new Branch { Code = $"B{count}", Name = $"Branch of {count:N0}", Union = union, PostalAddress = "1 Example Street", ContactName = "A. Secretary" };
            var dispute = new Dispute
            {
                Slug = $"bench-{count}", Title = $"Dispute of {count:N0}", Employer = "Employer", Union = union, Summary = "s", Body = "b",
                Beneficiaries = [new BeneficiaryBranch { Branch = branch, ShareBasisPoints = BeneficiaryBranch.WholeShare }],
            };
            db.AddRange(union, branch, dispute);
            await db.SaveChangesAsync();
            return (dispute.Id, branch.Id);
        });

        var clock = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            INSERT INTO "Donations" ("Id", "DisputeId", "ChosenBranchId", "Method", "Status", "AmountPence", "FeeCoverPence", "Currency",
                "PublicName", "OrganisationName", "DonorName", "Email", "CreatedAt", "PaidAt")
            SELECT gen_random_uuid(), @dispute, @branch, 'Card', 'Paid', 500 + (i * 37) % 10000, 0, 'GBP',
                CASE WHEN i % 3 = 0 THEN NULL ELSE 'Supporter number ' || i END,
                CASE WHEN i % 10 = 0 THEN 'Trades council branch ' || i END,
                'Private ' || i, 'donor' || i || '@example.org',
                @start + (i * interval '1 second') * (604000.0 / @count), @start + (i * interval '1 second') * (604000.0 / @count)
            FROM generate_series(1, @count) AS i;
            INSERT INTO "DonationAllocations" ("DonationId", "BranchId", "AmountPence")
            SELECT d."Id", @branch, d."AmountPence" FROM "Donations" AS d WHERE d."ChosenBranchId" = @branch;
            INSERT INTO "LedgerEntries" ("DisputeId", "BranchId", "Kind", "AmountPence", "Currency", "Key", "DonationId", "OccurredAt", "RecordedAt")
            SELECT @dispute, @branch, 'DonationReceived', d."AmountPence", 'GBP', 'bench:' || d."Id" || ':received', d."Id", d."PaidAt", d."PaidAt"
            FROM "Donations" AS d WHERE d."ChosenBranchId" = @branch
            UNION ALL
            SELECT @dispute, @branch, 'ProcessingFee', -(20 + d."AmountPence" * 15 / 1000), 'GBP', 'bench:' || d."Id" || ':fee', d."Id", d."PaidAt", d."PaidAt" + interval '1 second'
            FROM "Donations" AS d WHERE d."ChosenBranchId" = @branch;
            ANALYZE "Donations";
            ANALYZE "LedgerEntries";
            """, connection);
        command.CommandTimeout = 600;
        command.Parameters.AddWithValue("dispute", disputeId);
        command.Parameters.AddWithValue("branch", branchId);
        command.Parameters.AddWithValue("count", count);
        command.Parameters.AddWithValue("start", periodEnd.AddDays(-7).UtcDateTime);
        await command.ExecuteNonQueryAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Seeded {count:N0} donations and {2 * count:N0} ledger entries in {clock.Elapsed.TotalSeconds:F1} s"));
        return branchId;
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>Samples the managed heap and the working set every 20 ms; <see cref="TakePeak"/> answers the highest since the last call.</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampling;
        private long _heap;
        private long _workingSet;

        public PeakSampler() => _sampling = Task.Run(SampleAsync);

        public (long Heap, long WorkingSet) TakePeak() => (Interlocked.Exchange(ref _heap, 0), Interlocked.Exchange(ref _workingSet, 0));

        public void Dispose()
        {
            _stop.Cancel();
            _sampling.Wait();
            _stop.Dispose();
        }

        private async Task SampleAsync()
        {
            using var process = Process.GetCurrentProcess();
            while (!_stop.IsCancellationRequested)
            {
                process.Refresh();
                Max(ref _heap, GC.GetTotalMemory(forceFullCollection: false));
                Max(ref _workingSet, process.WorkingSet64);
                try
                {
                    await Task.Delay(20, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private static void Max(ref long peak, long value)
        {
            long current;
            while (value > (current = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, value, current) != current)
            {
            }
        }
    }
}
