using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Solidarity.Testing;
using Solidarity.Web.Infrastructure.Jobs;

namespace Solidarity.Tests.Infrastructure;

/// <summary>
/// A site of its own, on a database of its own on the run's PostgreSQL server, made once for the collection or the
/// test class that uses it and disposed after it. Each fixture of this assembly is one of these: the site it hosts,
/// and what the site needs beside it (a mail server, Stripe's stand-in, seeded data), is what tells them apart.
/// </summary>
public abstract class OwnSite<TApp> : IAsyncLifetime
    where TApp : SolidarityApp
{
    private readonly List<IAsyncDisposable> _beside = [];

    public TestPostgres Server { get; private set; } = default!;
    public TApp App { get; private set; } = default!;

    /// <summary>The start of the database's name, so a leftover database says which fixture made it.</summary>
    protected abstract string DatabasePrefix { get; }

    /// <summary>The site, with whatever it needs started first.</summary>
    protected abstract Task<TApp> CreateAsync();

    public virtual async Task InitializeAsync()
    {
        Server = await TestPostgres.SharedAsync();
        App = await CreateAsync();
        await App.InitialiseAsync(Server, DatabasePrefix);
    }

    /// <summary>Something the site needs beside it (a mail server, Stripe's stand-in), disposed after the site.</summary>
    protected T Beside<T>(T server)
        where T : IAsyncDisposable
    {
        _beside.Add(server);
        return server;
    }

    public virtual async Task DisposeAsync()
    {
        await App.DisposeAsync();
        foreach (var server in _beside)
        {
            await server.DisposeAsync();
        }
    }
}

/// <summary>
/// A site whose tests enqueue Hangfire jobs, and may run them on real job servers: <see cref="StartJobServer"/> starts
/// one, and <see cref="ResetAsync"/> empties Hangfire's tables with the site's, so no test finds another's jobs queued.
/// </summary>
public abstract class OwnSiteWithJobs<TApp> : OwnSite<TApp>
    where TApp : SolidarityApp
{
    /// <summary>
    /// A real Hangfire server on the site's database and job activator, with a storage instance of its own as
    /// another worker process would have.
    /// </summary>
    /// <param name="services">Another process's services on the same database (a site with other settings); this site's by default.</param>
    internal BackgroundJobServer StartJobServer(string name, int workerCount = 2, IServiceProvider? services = null)
    {
        services ??= App.Services;
        var settings = services.GetRequiredService<JobsSettings>();
        var options = JobsHosting.Configure(new BackgroundJobServerOptions(), settings, name);
        options.WorkerCount = workerCount;
        // Resolved from DI, the activator is whatever Hangfire's global configuration held when first asked for, which can
        // be another host's (an admin site of a test, since disposed): this one is bound to this site's services.
        options.Activator = new Hangfire.AspNetCore.AspNetCoreJobActivator(services.GetRequiredService<IServiceScopeFactory>());
        options.FilterProvider = services.GetRequiredService<Hangfire.Common.IJobFilterProvider>();
        return new BackgroundJobServer(options, JobsHosting.CreateStorage(App.ConnectionString, settings));
    }

    /// <summary>Empties every table, Hangfire's too.</summary>
    public virtual async Task ResetAsync()
    {
        await App.ResetAsync();
        await SolidarityApp.EmptyingAgainIfDeadlockedAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(App.ConnectionString);
            await connection.OpenAsync();
            await using var truncate = new NpgsqlCommand(
                "TRUNCATE hangfire.job, hangfire.jobqueue, hangfire.state, hangfire.jobparameter, hangfire.counter, hangfire.aggregatedcounter, hangfire.set, hangfire.hash, hangfire.list, hangfire.server, hangfire.lock RESTART IDENTITY CASCADE",
                connection);
            await truncate.ExecuteNonQueryAsync();
        });
    }
}
