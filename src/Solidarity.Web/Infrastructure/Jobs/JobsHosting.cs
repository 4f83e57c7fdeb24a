using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Solidarity.Web.Infrastructure.Jobs;

/// <summary>What one process does: serve the site, run the background jobs, or both.</summary>
internal enum JobsRole
{
    All,
    Web,
    Worker,
}

internal sealed class JobsSettings
{
    public const string Section = "Jobs";

    /// <summary>web, worker or all; the command line's `--role` wins.</summary>
    public JobsRole Role { get; set; } = JobsRole.All;
    public int WorkerCount { get; set; } = Math.Clamp(Environment.ProcessorCount * 2, 2, 10);
    public string SchemaName { get; set; } = "hangfire";

    /// <summary>How often an idle worker looks for a new job.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often retries and delayed jobs are moved to the queue.</summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A running job's claim is renewed while its server lives; a job whose server died unseen is
    /// given to another server after this long.
    /// </summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(15);
    public int RetryAttempts { get; set; } = 12;

    /// <summary>Back-off between attempts; unset means <see cref="DefaultRetryDelaysSeconds"/>.</summary>
    public int[]? RetryDelaysSeconds { get; set; }

    /// <summary>Half a minute, then longer, up to six hours: about 20 hours in all.</summary>
    public static readonly int[] DefaultRetryDelaysSeconds = [30, 60, 120, 300, 600, 1_200, 1_800, 3_600, 7_200, 14_400, 21_600, 21_600];
}

internal static class JobsHosting
{
    public const string DashboardPath = "/admin/jobs";

    /// <summary>
    /// Hangfire on the site's PostgreSQL database, in a schema of its own. Every process can enqueue and
    /// show the dashboard; only the `all` and `worker` roles run a server, and `worker` serves no HTTP.
    /// </summary>
    public static JobsRole AddJobs(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(JobsSettings.Section);
        var settings = section.Get<JobsSettings>() ?? new JobsSettings();
        var commandLineRole = builder.Configuration["role"];
        if (!string.IsNullOrWhiteSpace(commandLineRole))
        {
            settings.Role = Enum.TryParse<JobsRole>(commandLineRole, ignoreCase: true, out var role)
                ? role
                : throw new InvalidOperationException($"Unknown role '{commandLineRole}'. Roles: web, worker, all.");
        }

        var connectionString = builder.Configuration.GetConnectionString(DatabaseHosting.ConnectionStringName)
            ?? throw new InvalidOperationException("The jobs need the database: ConnectionStrings:Solidarity is not set.");

        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton<IJobFilterProvider>(provider =>
        {
            provider.GetRequiredService<IGlobalConfiguration>();
            return Filters(settings);
        });
        services.AddSingleton<JobStorage>(provider =>
        {
            // Hangfire logs through a static provider that its global configuration binds to this host's loggers.
            provider.GetRequiredService<IGlobalConfiguration>();
            return CreateStorage(connectionString, settings);
        });
        services.AddHangfire(configuration => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddSingleton<AdminDashboardAuthorization>();

        if (settings.Role is JobsRole.All or JobsRole.Worker)
        {
            services.AddHangfireServer((_, options) => Configure(options, settings, Environment.MachineName));
        }

        if (settings.Role is JobsRole.Worker)
        {
            // A worker is still a host process (logging, configuration, graceful stop) but listens on no port.
            services.AddSingleton<IServer, NoHttpServer>();
        }

        return settings.Role;
    }

    /// <summary>
    /// The storage of one process. Each process has its own instance: a running job's claim is renewed by the
    /// storage instance that fetched it, so a job whose process died is handed on after the invisibility timeout.
    /// </summary>
    public static JobStorage CreateStorage(string connectionString, JobsSettings settings)
    {
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = settings.SchemaName,
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = settings.QueuePollInterval,
            InvisibilityTimeout = settings.InvisibilityTimeout,
            UseSlidingInvisibilityTimeout = true,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions), storageOptions);
    }

    /// <summary>The options every Hangfire server of the site uses, in-process or started by a test.</summary>
    public static BackgroundJobServerOptions Configure(BackgroundJobServerOptions options, JobsSettings settings, string serverName)
    {
        options.ServerName = serverName;
        options.WorkerCount = settings.WorkerCount;
        options.SchedulePollingInterval = settings.SchedulePollingInterval;
        options.ShutdownTimeout = settings.ShutdownTimeout;
        return options;
    }

    /// <summary>The stylesheet the dashboard adds to Hangfire's, an embedded resource of this assembly.</summary>
    private const string DashboardStylesheet = "Solidarity.Web.Infrastructure.Jobs.dashboard.css";

    /// <summary>Hangfire keeps the dashboard's extra stylesheets in a static list: added once per process, however many hosts map it.</summary>
    private static readonly Lazy<bool> DashboardStylesheetAdded = new(() =>
    {
        Hangfire.Dashboard.DashboardRoutes.AddStylesheet(typeof(JobsHosting).Assembly, DashboardStylesheet);
        return true;
    });

    /// <summary>
    /// The dashboard at /admin/jobs, behind the Admin policy (role Admin signed in with a second factor), in British
    /// English with the site's colours where Hangfire's fall short of WCAG 2.1 AA.
    /// </summary>
    public static void MapJobsDashboard(this WebApplication app)
    {
        var storage = app.Services.GetRequiredService<JobStorage>();
        _ = DashboardStylesheetAdded.Value;

        // Hangfire names the page's language after the request's UI culture, which the site pins to British English for
        // every request (SiteHosting.UseSolidarity): never the lang="iv" of a server without a locale.
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
            {
                Authorization = [],
                AsyncAuthorization = [app.Services.GetRequiredService<AdminDashboardAuthorization>()],
                DashboardTitle = "Solidarity jobs",
                AppPath = "/admin",
                DisplayStorageConnectionString = false,

                // To look, never to act: a retried or deleted job (a receipt, a statement, a payment's email) would act
                // on money with no audit entry, and every job already retries and is safe to enqueue again from the site.
                IsReadOnlyFunc = _ => true,
            }, storage)
            .RequireAuthorization(AccountsHosting.AdminPolicy)
            .ForAudience(Audience.Admin);
    }

    /// <summary>
    /// Hangfire's global filters with its default of ten quick retries replaced by the configured back-off.
    /// Registered before AddHangfire, so the servers and the client of this process use it; the static
    /// global filters stay untouched.
    /// </summary>
    private static JobFilterProviderCollection Filters(JobsSettings settings)
    {
        var filters = new JobFilterCollection();
        foreach (var filter in GlobalJobFilters.Filters.Where(f => f.Instance is not AutomaticRetryAttribute))
        {
            filters.Add(filter.Instance, filter.Order);
        }

        filters.Add(new AutomaticRetryAttribute
        {
            Attempts = settings.RetryAttempts,
            DelaysInSeconds = settings.RetryDelaysSeconds is { Length: > 0 } delays ? delays : JobsSettings.DefaultRetryDelaysSeconds,
            OnAttemptsExceeded = AttemptsExceededAction.Fail,
        });
        return new JobFilterProviderCollection(filters, new JobFilterAttributeFilterProvider());
    }

    private sealed class NoHttpServer(ILogger<NoHttpServer> logger) : IServer
    {
        public IFeatureCollection Features { get; } = CreateFeatures();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull
        {
            logger.LogInformation("Worker role: running background jobs, serving no HTTP");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }

        private static FeatureCollection CreateFeatures()
        {
            var features = new FeatureCollection();
            features.Set<IServerAddressesFeature>(new NoAddresses());
            return features;
        }

        /// <summary>Read-only and empty, so the host neither adds the configured URLs nor reports listening on them.</summary>
        private sealed class NoAddresses : IServerAddressesFeature
        {
            public ICollection<string> Addresses { get; } = new System.Collections.ObjectModel.ReadOnlyCollection<string>([]);

            public bool PreferHostingUrls { get; set; }
        }
    }
}
