using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Testing;

namespace Solidarity.Tests.Infrastructure;

/// <summary>
/// The site for the tests about jobs and the documents they make (receipts, statements of giving, remittance
/// statements, monthly gifts' notices): mail goes to a loopback SMTP server, the clock is the system's until a test sets
/// it, and Hangfire polls and retries in seconds. The host runs no job server; tests start real ones with
/// <see cref="OwnSiteWithJobs{TApp}.StartJobServer"/>.
/// </summary>
public sealed class JobsSiteFixture : OwnSiteWithJobs<JobsSiteApp>
{
    public LoopbackSmtp Smtp { get; private set; } = default!;

    protected override string DatabasePrefix => "jobs_site_test";

    protected override async Task<JobsSiteApp> CreateAsync()
    {
        Smtp = Beside(await LoopbackSmtp.StartAsync());
        return new JobsSiteApp(Smtp.Port);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();

        // Hangfire logs through a static provider bound to the last host configured; this host's loggers are gone.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
    }

    /// <summary>Empties every table, Hangfire's too, and the mailbox, and gives the site back the system's clock.</summary>
    public override async Task ResetAsync()
    {
        // Hangfire logs through a static provider bound to the last host that configured it, perhaps an admin site
        // (AdminSite.For) of an earlier test, now disposed.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        App.Clock.Now = null;
        await base.ResetAsync();
        Smtp.Clear();
    }
}

/// <summary>The system's clock until a test sets the time; the site, its jobs and its admin pages all read it.</summary>
public sealed class JobsSiteClock : TimeProvider
{
    public DateTimeOffset? Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now ?? TimeProvider.System.GetUtcNow();
}

public sealed class JobsSiteApp(int smtpPort) : SolidarityApp
{
    public const string BaseUrl = "http://localhost";
    public const string OrganisationName = "Burton Trades Union Council";

    public JobsSiteClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        .. LoopbackSmtp.SiteSettings(smtpPort, "Solidarity receipts <receipts@solidarity.test>"),
        new("Site:BaseUrl", BaseUrl),
        new("Organisation:Name", OrganisationName),
        new("Organisation:Address", "1 Example Street, Burton upon Trent DE14 0AA"),
        new("Jobs:QueuePollInterval", "00:00:00.200"),
        new("Jobs:SchedulePollingInterval", "00:00:00.500"),
        new("Jobs:InvisibilityTimeout", "00:00:03"),
        new("Jobs:ShutdownTimeout", "00:00:01"),
        new("Jobs:RetryDelaysSeconds:0", "1"),
        new("Jobs:RetryDelaysSeconds:1", "1"),
        new("Jobs:RetryDelaysSeconds:2", "1"),
    ];
}

[CollectionDefinition(Name)]
public sealed class JobsSiteCollection : ICollectionFixture<JobsSiteFixture>
{
    public const string Name = "jobs-site";
}
