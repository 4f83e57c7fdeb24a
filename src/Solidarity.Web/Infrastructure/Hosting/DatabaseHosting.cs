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

        builder.Services.AddDbContext<SolidarityDbContext>(options => options.UseNpgsql(
            connectionString,
            npgsql => npgsql.MigrationsAssembly(SolidarityDbContext.MigrationsAssembly)));
        return true;
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
