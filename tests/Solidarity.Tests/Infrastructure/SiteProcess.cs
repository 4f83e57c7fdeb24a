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
        ["DataProtection__CertificatePath"] = TestCertificate.Path,
        ["DataProtection__CertificatePassword"] = TestCertificate.Password,
        ["Jobs__Role"] = "web",
        ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
    };

    /// <summary>
    /// Starts the site with <paramref name="environment"/> and no command, and stops it once it says it listens: answers
    /// whether it got that far, and what it wrote to standard error if it exited instead.
    /// </summary>
    public static async Task<(bool Started, string Error)> StartsAsync(IReadOnlyDictionary<string, string?> environment)
    {
        using var process = Process.Start(StartInfo(environment, []))!;
        var error = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(patience.Token) is { } line)
            {
                if (line.Contains("Now listening on", StringComparison.Ordinal))
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None);
                    return (true, "");
                }
            }

            await process.WaitForExitAsync(patience.Token);
            return (false, await error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Runs the site with <paramref name="environment"/> and waits (a minute at most) for it to exit.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(environment, arguments))!;
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

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string?> environment, string[] arguments)
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

        return start;
    }
}
