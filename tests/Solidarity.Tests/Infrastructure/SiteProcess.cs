using System.Diagnostics;
using Solidarity.Testing;

namespace Solidarity.Tests.Infrastructure;

/// <summary>The built site run as an operator runs it: `dotnet Solidarity.Web.dll ARGS`, a process of its own.</summary>
internal static class SiteProcess
{
    /// <summary>
    /// Every setting Production refuses to start without, as the environment variables a container is given, pointing at
    /// <paramref name="connectionString"/>; callers change or add what their test is about.
    /// </summary>
    public static Dictionary<string, string?> ProductionEnvironment(string connectionString, string siteUrl = "https://solidarity.example") => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["ConnectionStrings__Solidarity"] = connectionString,
        ["Stripe__SecretKey"] = "sk_test_site_process",
        ["Stripe__WebhookSecret"] = SolidarityApp.WebhookSecret,
        ["Smtp__Host"] = "127.0.0.1",
        ["Site__BaseUrl"] = siteUrl,
        ["Supporters__CountingKey"] = "a-production-counting-key-for-the-test",
        ["Throttling__Key"] = "a-production-throttling-key-for-the-test",
        ["Audit__DonorKey"] = "a-production-donor-audit-key-for-the-test",
        ["Jobs__Role"] = "web",
        ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
    };

    /// <summary>Runs the site with <paramref name="environment"/> and waits (a minute at most) for it to exit.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }
}
