using Npgsql;
using Solidarity.Web.Infrastructure.Database;
using Testcontainers.PostgreSql;

namespace Solidarity.Testing;

/// <summary>
/// One PostgreSQL server for a test run: SOLIDARITY_TEST_POSTGRES if set, else a Testcontainers
/// container where Docker answers, else a throwaway cluster from the machine's PostgreSQL binaries
/// (the same code the site uses for its embedded database).
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    public const string EnvironmentVariable = "SOLIDARITY_TEST_POSTGRES";

    private readonly IAsyncDisposable? _owned;
    private readonly string _serverConnectionString;

    private TestPostgres(string serverConnectionString, string description, IAsyncDisposable? owned)
    {
        _serverConnectionString = serverConnectionString;
        Description = description;
        _owned = owned;
    }

    public string Description { get; }

    private static readonly Lazy<Task<TestPostgres>> Shared = new(StartSharedAsync);

    /// <summary>
    /// The one server of this test process: started on first use, stopped when the process exits.
    /// Every fixture creates its own database on it, so collections stay independent.
    /// </summary>
    public static Task<TestPostgres> SharedAsync() => Shared.Value;

    private static async Task<TestPostgres> StartSharedAsync()
    {
        var server = await StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }

    public static async Task<TestPostgres> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new TestPostgres(configured, "the server in " + EnvironmentVariable, owned: null);
        }

        if (await DockerProbe.IsReachableAsync(CancellationToken.None))
        {
            var container = new PostgreSqlBuilder("postgres:16-alpine").Build();
            await container.StartAsync();
            return new TestPostgres(container.GetConnectionString(), "a Testcontainers PostgreSQL", container);
        }

        var binaries = LocalPostgresCluster.FindServerBinaries() ?? throw new InvalidOperationException(
            $"The tests need PostgreSQL: install its server (apt-get install postgresql), run Docker, or set {EnvironmentVariable}.");
        var cluster = await LocalPostgresCluster.StartThrowawayAsync(binaries);
        return new TestPostgres(cluster.ConnectionString("postgres"), $"a throwaway cluster on port {cluster.Port}", cluster);
    }

    /// <summary>Creates a fresh, empty database on the server and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
        await using (var connection = new NpgsqlConnection(_serverConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = name, MaxPoolSize = 200 }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync();
        }
    }
}
