using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Data;
using Solidarity.Web.Infrastructure.Database;

namespace Solidarity.Web.Infrastructure.Hosting;

internal static class DatabaseHosting
{
    public const string ConnectionStringName = "Solidarity";

    /// <summary>
    /// Uses ConnectionStrings:Solidarity; without it, in Development only, starts the embedded
    /// database and stops it when the site stops. Returns false, having said why, when there is no database.
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

            EmbeddedDatabase embedded;
            try
            {
                embedded = await EmbeddedDatabase.StartAsync(builder.Environment.ContentRootPath);
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
        }

        builder.Services.AddDbContext<SolidarityDbContext>(options => options.UseNpgsql(
            connectionString,
            npgsql => npgsql.MigrationsAssembly(SolidarityDbContext.MigrationsAssembly)));
        return true;
    }

    /// <summary>Stops the embedded database after the site has stopped serving.</summary>
    private sealed class EmbeddedDatabaseLifetime(EmbeddedDatabase database) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken) => await database.DisposeAsync();
    }
}
