using Testcontainers.PostgreSql;

namespace Solidarity.DevelopmentDatabase;

/// <summary>
/// The database `dotnet run` starts for itself in Development when no connection string is set:
/// a kept local cluster from the machine's PostgreSQL binaries, else a Docker container, else a
/// clear message saying what to install or configure.
/// </summary>
public sealed class EmbeddedDatabase : IAsyncDisposable
{
    public const string DatabaseName = "solidarity";
    private const string ContainerVolume = "solidarity-dev-pgdata";

    private readonly LocalPostgresCluster? _cluster;
    private readonly PostgreSqlContainer? _container;

    private EmbeddedDatabase(string connectionString, string description, LocalPostgresCluster? cluster, PostgreSqlContainer? container)
    {
        ConnectionString = connectionString;
        Description = description;
        _cluster = cluster;
        _container = container;
    }

    public string ConnectionString { get; }
    public string Description { get; }

    /// <summary>Starts (or reopens) the cluster kept in <paramref name="clusterFolder"/>, or else a container.</summary>
    public static async Task<EmbeddedDatabase> StartAsync(string clusterFolder, CancellationToken cancellationToken = default)
    {
        if (LocalPostgresCluster.FindServerBinaries() is { } binaries)
        {
            var folder = LocalPostgresCluster.ReachableFolder(clusterFolder);
            var cluster = await LocalPostgresCluster.StartKeptAsync(folder, binaries, cancellationToken);
            await cluster.EnsureDatabaseAsync(DatabaseName, cancellationToken);
            return new EmbeddedDatabase(cluster.ConnectionString(DatabaseName),
                $"local PostgreSQL cluster in {folder} on 127.0.0.1:{cluster.Port}", cluster, null);
        }

        if (await DockerProbe.IsReachableAsync(cancellationToken))
        {
            var container = new PostgreSqlBuilder("postgres:16-alpine")
                .WithDatabase(DatabaseName)
                .WithVolumeMount(ContainerVolume, "/var/lib/postgresql/data")
                .Build();
            await container.StartAsync(cancellationToken);
            return new EmbeddedDatabase(container.GetConnectionString(), $"PostgreSQL container (volume {ContainerVolume})", null, container);
        }

        throw new EmbeddedDatabaseUnavailableException(
            "No database is configured and none can be started here. Either install PostgreSQL's server " +
            "(Debian/Ubuntu: sudo apt-get install postgresql), run a Docker engine, or set the connection string, e.g. " +
            "ConnectionStrings__Solidarity=\"Host=localhost;Database=solidarity;Username=...;Password=...\".");
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}

public sealed class EmbeddedDatabaseUnavailableException(string message) : Exception(message);
