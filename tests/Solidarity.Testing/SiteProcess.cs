using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Solidarity.Testing;

/// <summary>
/// The built site run as an operator runs it: `dotnet Solidarity.Web.dll ARGS`, a process of its own. Commands run to
/// their end (<see cref="RunAsync"/>); the site or a worker keeps running until the test stops or kills it
/// (<see cref="StartAsync"/>).
/// </summary>
public sealed class SiteProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<bool> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;

    private SiteProcess(Process process)
    {
        _process = process;
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput), ReadAsync(process.StandardError));
    }

    /// <summary>The address the site listens on (from its "Now listening on" line); null for a worker, which serves no HTTP.</summary>
    public Uri? Address { get; private set; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the process wrote so far, standard output and error interleaved: for a failing test's message.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

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
        ["Smtp__From"] = "Solidarity <receipts@solidarity.example>",
        ["Organisation__Name"] = "Burton Trades Union Council",
        ["Organisation__Address"] = "1 Example Street, Burton upon Trent DE14 0AA",
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
    /// Sends the site's mail to <paramref name="smtp"/>, a loopback server offering STARTTLS with <paramref name="certificate"/>:
    /// Production insists on encrypted mail, and trusts a relay's own certificate by its fingerprint.
    /// </summary>
    public static void SendMailTo(IDictionary<string, string?> environment, LoopbackSmtp smtp, X509Certificate2 certificate)
    {
        environment["Smtp__Host"] = "localhost";
        environment["Smtp__Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Smtp__ServerCertificateSha256"] = Convert.ToHexString(SHA256.HashData(certificate.RawData));
    }

    /// <summary>
    /// Starts the site (or, with `--role worker` or Jobs__Role=worker, a worker) and waits, a minute at most, until it says
    /// it has started. It runs until <see cref="KillAsync"/> or <see cref="DisposeAsync"/>.
    /// </summary>
    public static Task<SiteProcess> StartAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        StartInAsync(null, environment, arguments);

    /// <summary>
    /// As <see cref="StartAsync"/>, with <paramref name="contentRoot"/> as the working directory, as `dotnet run` has it:
    /// wwwroot and appsettings.json are read from there.
    /// </summary>
    public static async Task<SiteProcess> StartInAsync(string? contentRoot, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var start = StartInfo(environment, arguments);
        start.WorkingDirectory = contentRoot ?? start.WorkingDirectory;
        var site = new SiteProcess(Process.Start(start)!);
        try
        {
            var exited = site._process.WaitForExitAsync();
            var first = await Task.WhenAny(site._started.Task, exited).WaitAsync(TimeSpan.FromMinutes(1));
            if (first != site._started.Task)
            {
                await site._reading;
                throw new InvalidOperationException($"The site stopped with exit code {site._process.ExitCode}:\n{site.Output}");
            }

            return site;
        }
        catch (TimeoutException)
        {
            await site.DisposeAsync();
            throw new TimeoutException($"The site did not start within a minute:\n{site.Output}");
        }
        catch
        {
            await site.DisposeAsync();
            throw;
        }
    }

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

    /// <summary>Runs the site with <paramref name="environment"/> and waits (two minutes at most) for it to exit.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(environment, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
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

    /// <summary>Kills the process and everything it started, at once and without warning, as the kernel's OOM killer or a lost machine would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        await _reading;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
        }
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

    /// <summary>Reads to the end, so a full pipe never stops the process, noting its address and when it has started.</summary>
    private async Task ReadAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }

            var listening = line.IndexOf("Now listening on: ", StringComparison.Ordinal);
            if (listening >= 0 && Address is null)
            {
                Address = new Uri(line[(listening + "Now listening on: ".Length)..].Trim());
            }

            if (line.Contains("Application started", StringComparison.Ordinal))
            {
                _started.TrySetResult(true);
            }
        }
    }
}
