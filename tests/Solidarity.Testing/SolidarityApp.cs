using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Respawn;
using Solidarity.Core.Data;
using Solidarity.Web.Infrastructure.Hosting;

namespace Solidarity.Testing;

/// <summary>
/// The site hosted in-process on a database of its own, migrated once; <see cref="ResetAsync"/>
/// empties every table between tests.
/// </summary>
public class SolidarityApp : WebApplicationFactory<Program>, IAsyncDisposable
{
    static SolidarityApp()
    {
        // Hangfire's static filters keep the loggers of whichever host first touched them; initialised here, before
        // any host exists, they keep none, so disposing a test host can never break them for later tests.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        _ = Hangfire.GlobalJobFilters.Filters;

        // Each host would watch its settings files for changes, with an inotify instance each; a test run holds dozens
        // of hosts, and Linux allows a user 128 instances, shared with everything else the user runs. Settings never
        // change during a test, so no host (and no site process a test starts) watches them. The static files (whose
        // versioned URLs the layout writes) are watched by polling instead, for the same reason.
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
    }

    private Respawner? _respawner;

    public const string WebhookSecret = "whsec_test_secret_for_the_test_suite";

    public string ConnectionString { get; private set; } = "";

    /// <summary>Settings a derived fixture adds to the site's configuration.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    public async Task InitialiseAsync(TestPostgres server, string databasePrefix = "solidarity_test")
    {
        ConnectionString = await server.CreateDatabaseAsync(databasePrefix);
        await using (var scope = Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SolidarityDbContext>().Database.MigrateAsync();
        }

        await TestPostgres.GrantResetAsync(ConnectionString);

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        _respawner = await Respawner.CreateAsync(connection, new RespawnerOptions
        {
            DbAdapter = DbAdapter.Postgres,
            SchemasToInclude = ["public"],

            // The data-protection keys outlive every test, as they outlive every request in production: a site that
            // cached a key before an emptying would write cookies that a second site on the database could not read.
            TablesToIgnore = ["__EFMigrationsHistory", "DataProtectionKeys"],
        });
    }

    /// <summary>
    /// Makes this app a second process of the site on <paramref name="other"/>'s database, already migrated, as a
    /// second web or worker machine would be. Call before the app is first used.
    /// </summary>
    public void ShareDatabaseOf(SolidarityApp other)
    {
        ConnectionString = other.ConnectionString;
        _respawner = other._respawner;
    }

    /// <summary>
    /// Empties every table but the ignored ones, and this site's cache of public pages, which would otherwise show the
    /// last test's data for a few seconds. Respawn truncates, which the append-only tables refuse to all but the test
    /// servers' reset role, so it runs as that role.
    /// </summary>
    /// <remarks>
    /// Work the last test left running (a job, a receipt loop) can still hold rows that the emptying deletes in another
    /// order, and PostgreSQL then ends one of the two as a deadlock: the emptying, when it is the one ended, runs again.
    /// </remarks>
    public async Task ResetAsync()
    {
        await EmptyingAgainIfDeadlockedAsync(async () =>
        {
            await using var connection = await TestPostgres.OpenAsResetRoleAsync(ConnectionString);
            await _respawner!.ResetAsync(connection);
        });
        await EvictPublicPagesAsync(this);
    }

    /// <summary>
    /// Runs an emptying of tables, and runs it again when PostgreSQL ends it as one of a deadlock with work the last
    /// test left running (see <see cref="ResetAsync"/>).
    /// </summary>
    public static async Task EmptyingAgainIfDeadlockedAsync(Func<Task> emptying)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await emptying();
                return;
            }
            catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt));
            }
        }
    }

    /// <summary>
    /// Empties <paramref name="site"/>'s cache of public pages. Each host (a derived one made by WithWebHostBuilder
    /// too) is a process of its own and keeps its own cache, as each web process does in production.
    /// </summary>
    public static async Task EvictPublicPagesAsync(WebApplicationFactory<Program> site) =>
        await site.Services.GetRequiredService<IOutputCacheStore>().EvictByTagAsync(PublicPageCaching.AllTag, CancellationToken.None);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Solidarity", ConnectionString);
        builder.UseSetting("Database:MigrateOnStartup", "false");
        builder.UseSetting("DemoData:Seed", "false");

        // Tests that seed the demo get a short history: enough for every kind of movement, quick to write.
        builder.UseSetting("Demo:Donations", "60");
        builder.UseSetting("Stripe:WebhookSecret", WebhookSecret);

        // Every site of the suite, whatever its environment, encrypts the data-protection keys with one certificate, as
        // a real site's processes do: a Production site sharing the database would otherwise make keys the others cannot read.
        builder.UseSetting("DataProtection:CertificatePath", TestCertificate.Path);
        builder.UseSetting("DataProtection:CertificatePassword", TestCertificate.Password);

        // No Hangfire server in the test host: tests that run jobs start their own servers on its storage.
        builder.UseSetting("Jobs:Role", "web");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);

        // Hangfire logs through a static provider bound to the last host that configured it. Test hosts come and go
        // (derived factories too, which share this method), so none keeps it: Hangfire logs nothing in tests.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        return host;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();

        // Hangfire logs through a static provider bound to the last host that configured it; left pointing at
        // this host's disposed loggers, the next Hangfire type to initialise in this process would fail for good.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        GC.SuppressFinalize(this);
    }

    /// <summary>A scope on the site's services, for arranging data and checking what a request left behind.</summary>
    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    public async Task<T> WithDbAsync<T>(Func<SolidarityDbContext, Task<T>> work)
    {
        await using var scope = Scope();
        return await work(scope.ServiceProvider.GetRequiredService<SolidarityDbContext>());
    }

    public async Task WithDbAsync(Func<SolidarityDbContext, Task> work)
    {
        await using var scope = Scope();
        await work(scope.ServiceProvider.GetRequiredService<SolidarityDbContext>());
    }
}
