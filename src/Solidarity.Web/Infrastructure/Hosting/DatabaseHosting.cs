#if DEBUG
using Solidarity.DevelopmentDatabase;
#endif

namespace Solidarity.Web.Infrastructure.Hosting;

internal static class DatabaseHosting
{
    public const string ConnectionStringName = "Solidarity";

    /// <summary>
    /// Uses ConnectionStrings:Solidarity; without it, in Development and a Debug build only (dotnet run), starts the
    /// embedded database (src/Solidarity.DevelopmentDatabase) and stops it when the site stops. Returns false, having said why, when there is no database.
    /// </summary>
    public static async Task<bool> AddSolidarityDatabaseAsync(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (!builder.Environment.IsDevelopment())
            {
                await Console.Error.WriteLineAsync(
                    $"ConnectionStrings:{ConnectionStringName} is not set. Outside Development the site does not start a database " +
                    "of its own: set ConnectionStrings__Solidarity to your PostgreSQL server (see deploy/README.md).");
                return false;
            }

#if DEBUG
            EmbeddedDatabase embedded;
            try
            {
                embedded = await EmbeddedDatabase.StartAsync(LocalState.Folder(builder.Environment.ContentRootPath, "postgres"));
            }
            catch (EmbeddedDatabaseUnavailableException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return false;
            }

            Console.WriteLine($"Database: {embedded.Description}");
            builder.Services.AddSingleton(embedded);
            builder.Services.AddHostedService<EmbeddedDatabaseLifetime>();
            connectionString = embedded.ConnectionString;
            builder.Configuration[$"ConnectionStrings:{ConnectionStringName}"] = connectionString;
#else
            // A Release build (every published site and image) carries no database of its own.
            await Console.Error.WriteLineAsync(
                $"ConnectionStrings:{ConnectionStringName} is not set, and only a Debug build (dotnet run) starts a database of its own. " +
                "Set ConnectionStrings__Solidarity to your PostgreSQL server.");
            return false;
#endif
        }

        // Pooled: a request or job borrows a context, and its options and EF's internal services, instead of building
        // them each time, which was a large share of a busy webhook's allocations. EF resets a context on return.
        builder.Services.AddDbContextPool<SolidarityDbContext>(options => options.UseNpgsql(
            Prepared(connectionString),
            npgsql => npgsql.MigrationsAssembly(SolidarityDbContext.MigrationsAssembly)));
        return true;
    }

    /// <summary>
    /// The connection string with Npgsql's automatic preparation on, unless it sets Max Auto Prepare itself (0 turns it
    /// off, as a PgBouncer in transaction mode without prepared-statement support needs): a statement sent often (a
    /// webhook's claim, its locks, its postings) is then parsed and planned once per connection instead of every time.
    /// </summary>
    public static string Prepared(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare"))
        {
            return connectionString;
        }

        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 100, AutoPrepareMinUsages = 2 }.ConnectionString;
    }

    /// <summary>Stops the database this process started for itself, if it did (Development, without a connection string).</summary>
    public static async Task StopOwnDatabaseAsync(IServiceProvider services)
    {
#if DEBUG
        if (services.GetService<EmbeddedDatabase>() is { } embedded)
        {
            await embedded.DisposeAsync();
        }
#else
        _ = services;
        await Task.CompletedTask;
#endif
    }

#if DEBUG
    /// <summary>Stops the embedded database after the site has stopped serving.</summary>
    private sealed class EmbeddedDatabaseLifetime(EmbeddedDatabase database) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken) => await database.DisposeAsync();
    }
#endif
}
