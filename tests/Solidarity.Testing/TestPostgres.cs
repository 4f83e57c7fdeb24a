using Npgsql;
using Solidarity.DevelopmentDatabase;
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

    /// <summary>
    /// The one role the append-only tables let TRUNCATE them (migration AppendOnlyTablesRefuseTruncate), so that
    /// tests can empty every table between them. Only test servers have it: it cannot log in, and acts with no
    /// privilege but the TRUNCATE each test database grants it.
    /// </summary>
    public const string ResetRole = "solidarity_test_reset";

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

    /// <summary>
    /// A throwaway cluster from the machine's server binaries that this test alone uses, whatever
    /// <see cref="EnvironmentVariable"/> or Docker offer: for tests that stop and start the server under the site.
    /// </summary>
    public static async Task<TestPostgres> StartOwnClusterAsync()
    {
        var binaries = LocalPostgresCluster.FindServerBinaries() ?? throw new InvalidOperationException(
            "This test stops and starts a PostgreSQL server of its own: install PostgreSQL's server binaries (apt-get install postgresql).");
        var cluster = await LocalPostgresCluster.StartThrowawayAsync(binaries);
        var server = new TestPostgres(cluster.ConnectionString("postgres"), $"a throwaway cluster on port {cluster.Port}", cluster);
        await server.CreateResetRoleAsync();
        return server;
    }

    /// <summary>Stops this test's own cluster (<see cref="StartOwnClusterAsync"/>), cutting off every client.</summary>
    public Task StopAsync() => OwnCluster.StopAsync();

    /// <summary>Starts this test's own cluster again on the same port.</summary>
    public Task StartAgainAsync() => OwnCluster.StartAgainAsync();

    private LocalPostgresCluster OwnCluster =>
        _owned as LocalPostgresCluster ?? throw new InvalidOperationException("Only a cluster started by StartOwnClusterAsync can be stopped.");

    public static async Task<TestPostgres> StartAsync()
    {
        var server = await StartServerAsync();
        await server.CreateResetRoleAsync();
        return server;
    }

    private static async Task<TestPostgres> StartServerAsync()
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

    /// <summary>Creates <see cref="ResetRole"/> if the server lacks it, and lets the tests' user act as it.</summary>
    private async Task CreateResetRoleAsync()
    {
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand(
            $$"""
            DO $$
            BEGIN
                BEGIN
                    CREATE ROLE {{ResetRole}} NOLOGIN;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    -- Made by an earlier run, or by another test process on the same server at the same moment.
                    NULL;
                END;
                IF NOT pg_has_role(current_user, '{{ResetRole}}', 'MEMBER') THEN
                    EXECUTE format('GRANT {{ResetRole}} TO %I', current_user);
                END IF;
            END $$
            """,
            connection);
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>Lets <see cref="ResetRole"/> empty every table of a migrated database, and nothing else.</summary>
    public static async Task GrantResetAsync(string databaseConnectionString)
    {
        await using var connection = new NpgsqlConnection(databaseConnectionString);
        await connection.OpenAsync();
        await using var grant = new NpgsqlCommand(
            $"GRANT USAGE ON SCHEMA public TO {ResetRole}; GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {ResetRole};", connection);
        await grant.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A connection acting as <see cref="ResetRole"/>. It is not pooled, so the role never outlives it to reach a
    /// connection the site uses.
    /// </summary>
    public static async Task<NpgsqlConnection> OpenAsResetRoleAsync(string databaseConnectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(databaseConnectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync();
            await using var setRole = new NpgsqlCommand($"SET ROLE {ResetRole}", connection);
            await setRole.ExecuteNonQueryAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync();
        }
    }
}
