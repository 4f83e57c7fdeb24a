using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace Solidarity.DevelopmentDatabase;

/// <summary>
/// A PostgreSQL cluster run from the server binaries on this machine, listening on a free loopback
/// port. The site uses a kept cluster under the repository for development; the tests use a
/// throwaway one. As root it runs the server as the postgres user, because initdb refuses root.
/// </summary>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    private const string SuperUser = "solidarity";

    private readonly string _root;
    private readonly string _binDirectory;
    private readonly bool _throwaway;
    private readonly string? _runAs;

    private LocalPostgresCluster(string root, string binDirectory, bool throwaway, string? runAs)
    {
        _root = root;
        _binDirectory = binDirectory;
        _throwaway = throwaway;
        _runAs = runAs;
    }

    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(_root, "data");
    private string PasswordFile => Path.Combine(_root, "password");
    private string LogFile => Path.Combine(_root, "server.log");

    /// <summary>The folder holding initdb and pg_ctl: PATH first, then the newest /usr/lib/postgresql/*/bin.</summary>
    public static string? FindServerBinaries()
    {
        var pathDirectories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var directory in pathDirectories)
        {
            if (File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")))
            {
                return directory;
            }
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (!Directory.Exists(debianRoot))
        {
            return null;
        }

        return Directory.GetDirectories(debianRoot)
            .Select(d => (Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1, Bin: Path.Combine(d, "bin")))
            .Where(x => x.Version >= 0 && File.Exists(Path.Combine(x.Bin, "initdb")) && File.Exists(Path.Combine(x.Bin, "pg_ctl")))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Bin)
            .FirstOrDefault();
    }

    /// <summary>
    /// As root the server runs as the postgres user, which cannot reach a folder under, say, /root. Where it could
    /// not, the kept cluster goes to a folder of its own under /var/tmp, named after the wanted one.
    /// </summary>
    public static string ReachableFolder(string wanted)
    {
        if (!Environment.IsPrivilegedProcess || OperatingSystem.IsWindows())
        {
            return wanted;
        }

        var existing = new DirectoryInfo(Path.GetFullPath(wanted));
        while (existing is { Exists: false })
        {
            existing = existing.Parent;
        }

        using var probe = Process.Start(new ProcessStartInfo("runuser", ["-u", "postgres", "--", "test", "-x", existing?.FullName ?? "/"])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        });
        probe?.WaitForExit();
        if (probe is { ExitCode: 0 })
        {
            return wanted;
        }

        var name = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(wanted))))[..12].ToLowerInvariant();
        return Path.Combine("/var/tmp", "solidarity-dev-" + name);
    }

    /// <summary>Starts (creating on first use) a cluster kept in <paramref name="root"/> between runs.</summary>
    public static Task<LocalPostgresCluster> StartKeptAsync(string root, string binDirectory, CancellationToken cancellationToken = default) =>
        StartAsync(root, binDirectory, throwaway: false, cancellationToken);

    /// <summary>Starts a new cluster in a temporary folder that is deleted when the cluster is disposed.</summary>
    public static Task<LocalPostgresCluster> StartThrowawayAsync(string binDirectory, CancellationToken cancellationToken = default)
    {
        RemoveAbandonedThrowaways();
        var root = Path.Combine(Path.GetTempPath(), ThrowawayPrefix + Guid.NewGuid().ToString("N")[..12]);
        return StartAsync(root, binDirectory, throwaway: true, cancellationToken);
    }

    private const string ThrowawayPrefix = "solidarity-pg-";

    /// <summary>
    /// A test process that is killed, or runs out of time at exit, leaves its throwaway cluster behind;
    /// the next one removes those whose server is gone and that nobody has touched for a while.
    /// </summary>
    private static void RemoveAbandonedThrowaways()
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), ThrowawayPrefix + "*"))
        {
            var pidFile = Path.Combine(directory, "data", "postmaster.pid");
            var idle = DateTime.UtcNow - Directory.GetLastWriteTimeUtc(directory) > TimeSpan.FromMinutes(10);
            if (File.Exists(pidFile) || !idle)
            {
                continue;
            }

            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another process may be removing it at the same time; the next run tries again.
            }
        }
    }

    /// <summary>Creates the database if it is not there yet, so the first connection to it does not fail noisily.</summary>
    public async Task EnsureDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = database } } };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Password = File.ReadAllText(PasswordFile).Trim(),
        Database = database,
    }.ConnectionString;

    private static async Task<LocalPostgresCluster> StartAsync(string root, string binDirectory, bool throwaway, CancellationToken cancellationToken)
    {
        var runAs = Environment.IsPrivilegedProcess ? "postgres" : null;
        var cluster = new LocalPostgresCluster(Path.GetFullPath(root), binDirectory, throwaway, runAs);
        try
        {
            await cluster.InitialiseAsync(cancellationToken);
            await cluster.StartServerAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task InitialiseAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_root);
        if (File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            return;
        }

        if (Directory.Exists(DataDirectory))
        {
            // A half-made cluster from an interrupted first run: start again.
            Directory.Delete(DataDirectory, recursive: true);
        }

        await File.WriteAllTextAsync(PasswordFile, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        // initdb reads the password from a file the server user can read; it is removed straight after.
        var initPasswordFile = Path.Combine(_root, "initdb-password");
        File.Copy(PasswordFile, initPasswordFile, overwrite: true);
        try
        {
            await GiveToServerUserAsync(_root, cancellationToken);
            // A throwaway cluster's files need not reach the disk (its server runs with fsync off too): on a busy machine
            // initdb's closing sync of a thousand files costs seconds of every test that starts a cluster of its own.
            string[] noSync = _throwaway ? ["--no-sync"] : [];
            await RunAsync("initdb",
                ["-D", DataDirectory, "-U", SuperUser, "--pwfile", initPasswordFile, "--auth-local=scram-sha-256",
                 "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions", .. noSync],
                cancellationToken);
        }
        finally
        {
            File.Delete(initPasswordFile);
        }
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var running = ReadRunningPort();
        if (running is { } port && await AcceptsConnectionsAsync(port, cancellationToken))
        {
            // Left running by an earlier run that did not stop cleanly: use it.
            Port = port;
            return;
        }

        Port = FreeLoopbackPort();
        await RunAsync("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-o", ServerOptions(), "-w", "-t", "60", "start"], cancellationToken);
    }

    private string ServerOptions() => string.Join(' ',
        $"-p {Port}",
        "-c listen_addresses=127.0.0.1",
        "-c unix_socket_directories=''",
        "-c max_connections=200",
        _throwaway ? "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" : "");

    /// <summary>Line 4 of postmaster.pid is the port of a server that is (or was) running.</summary>
    private int? ReadRunningPort()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        try
        {
            var lines = File.ReadAllLines(pidFile);
            return lines.Length > 3 && int.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private async Task<bool> AcceptsConnectionsAsync(int port, CancellationToken cancellationToken)
    {
        Port = port;
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Timeout=3");
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            return false;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Stops the server as an operator or a failover would: clients are cut off and open transactions rolled back, and
    /// what was committed is kept (a throwaway cluster commits without waiting for the disk, so only a clean stop keeps
    /// every commit it acknowledged). <see cref="StartAgainAsync"/> resumes it.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        RunAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"], cancellationToken);

    /// <summary>Starts a stopped server again on the port it had, so connection strings given out before still reach it.</summary>
    public Task StartAgainAsync(CancellationToken cancellationToken = default) =>
        RunAsync(
            "pg_ctl",
            ["-D", DataDirectory, "-l", LogFile, "-o", ServerOptions(), "-w", "-t", "60", "start"],
            cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                // A throwaway cluster's data is about to be deleted: no need for a clean shutdown checkpoint.
                await RunAsync("pg_ctl", ["-D", DataDirectory, "-m", _throwaway ? "immediate" : "fast", "-w", "stop"], CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }
        }

        if (_throwaway && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private async Task GiveToServerUserAsync(string path, CancellationToken cancellationToken)
    {
        if (_runAs is null)
        {
            return;
        }

        await RunProcessAsync("chown", ["-R", $"{_runAs}:", path], cancellationToken);
        // The password file stays the site's own; the server user only needs the data folder.
        await RunProcessAsync("chown", ["root:", PasswordFile], cancellationToken);
    }

    private Task RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(_binDirectory, tool);
        return _runAs is null
            ? RunProcessAsync(executable, arguments, cancellationToken)
            : RunProcessAsync("runuser", ["-u", _runAs, "--", executable, .. arguments], cancellationToken);
    }

    private static async Task RunProcessAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        // pg_ctl leaves the server holding its output pipes; read to the end of what the tool itself printed.
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}{await output}");
        }
    }
}
