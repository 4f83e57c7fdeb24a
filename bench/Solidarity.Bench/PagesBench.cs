using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Solidarity.Testing;
using Solidarity.Web.Demo;

namespace Solidarity.Bench;

/// <summary>
/// The public pages of a busy dispute: the demo with a volume seed on top, served by the site as its own process (as
/// in production), loaded with wrk, beside an anchor that serves the same bytes from a bare Kestrel on the same
/// machine, so the ratio says how much of the machine's HTTP capacity the page's own work leaves.
/// </summary>
internal static partial class PagesBench
{
    private const string DisputePath = "/disputes/" + DemoData.ArgosSlug;
    private const int UncachedSamples = 20;
    private static readonly string[] WrkLoad = ["-t2", "-c64", "-d10s", "--latency"];
    private static readonly string[] WrkWarmup = ["-t2", "-c64", "-d2s"];

    public static async Task<int> RunAsync(string root, int donations, int messages)
    {
        if (!File.Exists("/usr/bin/wrk"))
        {
            await Console.Error.WriteLineAsync("The pages benchmark loads the site with wrk: apt-get install wrk.");
            return 2;
        }

        await using var server = await TestPostgres.StartAsync();
        string connectionString;
        await using (var app = new SolidarityApp())
        {
            await app.InitialiseAsync(server, "bench_pages");
            connectionString = app.ConnectionString;
            Console.WriteLine($"PostgreSQL: {server.Description}; {Environment.ProcessorCount} cores; {Machine.Load()}");
            await DemoData.SeedAsync(app.Services, CancellationToken.None);
            var seeded = await VolumeSeeder.SeedAsync(app.Services, donations, messages, CancellationToken.None);
            Console.WriteLine(Invariant($"Seeded {seeded.Donations:N0} donations ({seeded.LedgerEntries:N0} ledger entries, {seeded.DistinctDonors:N0} donors) and {seeded.Messages:N0} messages in {seeded.Elapsed.TotalSeconds:F1} s"));
        }

        var (site, address, readyIn) = await StartSiteAsync(root, connectionString);
        await using var running = site;
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(1) };
        Console.WriteLine(Invariant($"Site: dotnet Solidarity.Web.dll --role web (environment Testing) on {address}, ready in {readyIn.TotalSeconds:F1} s"));

        var clock = Stopwatch.StartNew();
        using (var first = await client.GetAsync(new Uri(DisputePath, UriKind.Relative)))
        {
            first.EnsureSuccessStatusCode();
        }

        var cold = clock.Elapsed;
        var uncached = await UncachedRendersAsync(client);
        var (page, contentType, cached) = await ServedPageAsync(client);
        Console.WriteLine(Invariant($"Dispute page: {page.Length:N0} bytes; served from an output cache: {(cached ? "yes" : "no")}"));
        Console.WriteLine(Invariant(
            $"Uncached render of the dispute page: first request {cold.TotalMilliseconds:F1} ms (cold process); then {uncached.Count} single requests bypassing any cache: median {Percentile(uncached, 50):F1} ms, p90 {Percentile(uncached, 90):F1} ms, max {uncached.Max():F1} ms  [goal: median < 20 ms: {Verdict(Percentile(uncached, 50) < 20)}]"));

        await using var anchor = await AnchorAsync(page, contentType);
        var dispute = await WrkAsync(new Uri(address, DisputePath));
        var home = await WrkAsync(new Uri(address, "/"));
        var bare = await WrkAsync(anchor.Address);
        var (rss, peak) = Memory(site);
        Console.WriteLine($"After the runs: {Machine.Load()}");

        Console.WriteLine($"wrk {string.Join(' ', WrkLoad)}:");
        Console.WriteLine(Invariant($"  {"",-46} {"requests/s",11} {"p99",10}   {"anchor req/s",12} {"anchor p99",10}   {"req/s ratio",11}  requests"));
        Report("dispute page " + DisputePath, dispute, bare);
        Report("home page /", home, bare);
        Report("anchor: the same bytes, bare Kestrel", bare, bare);
        Console.WriteLine(Invariant($"  goals: dispute page >= 50% of the anchor's requests/s: {Verdict(dispute.RequestsPerSecond >= bare.RequestsPerSecond / 2)}; dispute page p99 <= 50 ms: {Verdict(dispute.EffectiveP99Ms <= 50)}"));
        Console.WriteLine(Invariant($"Site working set after the runs: VmRSS {rss / 1024.0:F1} MB (peak VmHWM {peak / 1024.0:F1} MB)  [goal: flat between 100,000 and 1,000,000 donations]"));
        return 0;
    }

    private static void Report(string label, WrkResult result, WrkResult anchor)
    {
        var errors = result.Errors is { } e ? $"; {e}" : "";
        Console.WriteLine(Invariant(
            $"  {label,-46} {result.RequestsPerSecond,11:F0} {result.P99,10}   {anchor.RequestsPerSecond,12:F0} {anchor.P99,10}   {result.RequestsPerSecond / anchor.RequestsPerSecond * 100,10:F1}%  {result.Requests:N0}{errors}"));
    }

    /// <summary>
    /// Single requests timed one after another, each bypassing any output cache: an Authorization header (which no
    /// cache may answer from a shared copy) and a query string of its own (for a cache that varies by the whole
    /// query). A response carrying Age came from a cache after all, and is left out.
    /// </summary>
    private static async Task<List<double>> UncachedRendersAsync(HttpClient client)
    {
        var times = new List<double>();
        for (var i = 0; i < UncachedSamples + 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{DisputePath}?nocache={i}", UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "pages-benchmark");
            var clock = Stopwatch.StartNew();
            using var response = await client.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            var elapsed = clock.Elapsed.TotalMilliseconds;
            response.EnsureSuccessStatusCode();

            // The first few warm what the first request left cold (the pager, the query-string paths).
            if (i >= 3 && response.Headers.Age is null)
            {
                times.Add(elapsed);
            }
        }

        if (times.Count == 0)
        {
            throw new InvalidOperationException("Every request bypassing the cache was answered from it: the uncached render cannot be measured.");
        }

        return times;
    }

    /// <summary>The page as a visitor gets it, and whether a second request is answered from an output cache (Age).</summary>
    private static async Task<(byte[] Page, string ContentType, bool Cached)> ServedPageAsync(HttpClient client)
    {
        using var first = await client.GetAsync(new Uri(DisputePath, UriKind.Relative));
        var page = await first.Content.ReadAsByteArrayAsync();
        using var second = await client.GetAsync(new Uri(DisputePath, UriKind.Relative));
        return (page, first.Content.Headers.ContentType?.ToString() ?? "text/html; charset=utf-8", second.Headers.Age is not null);
    }

    private static async Task<Anchor> AnchorAsync(byte[] page, string contentType)
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.ContentType = contentType;
            context.Response.ContentLength = page.Length;
            return context.Response.Body.WriteAsync(page).AsTask();
        });
        await app.StartAsync();
        return new Anchor(app, new Uri($"http://127.0.0.1:{port}/"));
    }

    private static async Task<WrkResult> WrkAsync(Uri url)
    {
        await RunWrkAsync([.. WrkWarmup, url.ToString()]);
        var output = await RunWrkAsync([.. WrkLoad, url.ToString()]);
        var rate = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var p99 = P99().Match(output);
        var milliseconds = double.Parse(p99.Groups[1].Value, CultureInfo.InvariantCulture) * p99.Groups[2].Value switch
        {
            "us" => 0.001,
            "ms" => 1,
            "s" => 1_000,
            var unit => throw new FormatException($"wrk printed a latency in '{unit}'."),
        };
        var errors = new[] { NonSuccess().Match(output), SocketErrors().Match(output) }.Where(m => m.Success).Select(m => m.Value.Trim()).ToList();
        var timeouts = TimedOut().Match(output);
        return new WrkResult(
            rate,
            milliseconds,
            long.Parse(RequestCount().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            timeouts.Success ? long.Parse(timeouts.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            errors.Count > 0 ? string.Join("; ", errors) : null);
    }

    private static async Task<string> RunWrkAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var wrk = Process.Start(start)!;
        var output = wrk.StandardOutput.ReadToEndAsync();
        var error = wrk.StandardError.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        if (wrk.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with {wrk.ExitCode}: {await error}");
        }

        return await output;
    }

    /// <summary>The site's build of the same configuration as this benchmark (bin/Release/net10.0 beside bin/Release/net10.0).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static double Percentile(List<double> values, int percent)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1)];
    }

    private static string Verdict(bool met) => met ? "met" : "MISSED";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"\n\s+99(?:\.000)?%\s+([0-9.]+)(us|ms|s)\b")]
    private static partial Regex P99();

    [GeneratedRegex(@"Non-2xx or 3xx responses: \d+")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"Socket errors:[^\n]*")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"Socket errors:.*timeout (\d+)")]
    private static partial Regex TimedOut();

    [GeneratedRegex(@"(\d+) requests in ")]
    private static partial Regex RequestCount();

    private sealed record WrkResult(double RequestsPerSecond, double P99Ms, long Requests, long TimedOut, string? Errors)
    {
        /// <summary>
        /// wrk leaves out of its latencies the requests it gave up waiting for (after its 2 s timeout), counting them among
        /// its requests: with more than 1% of them, the 99th percentile is beyond 2 s whatever wrk printed.
        /// </summary>
        public double EffectiveP99Ms => TimedOut * 100 > Requests ? double.PositiveInfinity : P99Ms;

        public string P99 => double.IsPositiveInfinity(EffectiveP99Ms) ? "> 2000 ms" : string.Create(CultureInfo.InvariantCulture, $"{P99Ms:F1} ms");
    }

    private sealed class Anchor(WebApplication app, Uri address) : IAsyncDisposable
    {
        public Uri Address { get; } = address;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>
    /// The built site as a process of its own, web role only, in the Testing environment (production's pipeline: error
    /// page, HSTS, no developer exception page) on the benchmark's database, ready once it answers /health/ready.
    /// </summary>
    private static async Task<(SiteProcess Site, Uri Address, TimeSpan ReadyIn)> StartSiteAsync(string root, string connectionString)
    {
        var clock = Stopwatch.StartNew();
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["ConnectionStrings__Solidarity"] = connectionString,
            ["Stripe__WebhookSecret"] = SolidarityApp.WebhookSecret,
        };
        var site = await SiteProcess.StartInAsync(Path.Combine(root, "src", "Solidarity.Web"), environment, "--role", "web");
        var address = site.Address ?? throw new InvalidOperationException($"The site named no address:\n{site.Output}");
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        while (clock.Elapsed < TimeSpan.FromMinutes(2) && !site.HasExited)
        {
            using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            if (ready.IsSuccessStatusCode)
            {
                return (site, address, clock.Elapsed);
            }

            await Task.Delay(200);
        }

        await site.DisposeAsync();
        throw new InvalidOperationException($"The site did not become ready:\n{site.Output}");
    }

    /// <summary>The resident set of a process now and at its peak, in kB, from /proc.</summary>
    private static (long Rss, long Peak) Memory(SiteProcess site)
    {
        var status = File.ReadAllLines($"/proc/{site.Id}/status");
        long Field(string name) => long.Parse(
            status.Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Replace("kB", "", StringComparison.Ordinal).Trim(),
            CultureInfo.InvariantCulture);
        return (Field("VmRSS"), Field("VmHWM"));
    }
}
