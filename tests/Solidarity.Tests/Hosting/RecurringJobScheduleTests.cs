using Hangfire;
using Hangfire.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Jobs;

namespace Solidarity.Tests.Hosting;

/// <summary>A `Jobs:Schedules` key that names no recurring job changes nothing, so the site says so.</summary>
public sealed class RecurringJobScheduleTests
{
    [Fact]
    public void Schedule_keys_naming_no_recurring_job_are_unknown_whatever_their_case_or_colons()
    {
        var configuration = Schedules(
            ("issue-missing-receipts", "*/5 * * * *"),
            ("Send-Branch-Digests", "0 8 * * *"),
            ("receipts:issue-missing", "*/5 * * * *"),
            ("nightly-report", "0 1 * * *"));

        Assert.Equal(["nightly-report", "receipts:issue-missing"], RecurringJobs.UnknownScheduleKeys(configuration));
    }

    [Fact]
    public void Empty_values_given_to_the_parents_of_a_key_with_colons_are_not_schedules()
    {
        var configuration = new ConfigurationBuilder()
            .AddCommandLine(["--Jobs:Schedules=", "--Jobs:Schedules:receipts=", "--Jobs:Schedules:receipts:issue-missing=*/5 * * * *"])
            .Build();

        Assert.Equal(["receipts:issue-missing"], RecurringJobs.UnknownScheduleKeys(configuration));
    }

    [Fact]
    public void Known_schedules_or_none_leave_nothing_unknown()
    {
        Assert.Empty(RecurringJobs.UnknownScheduleKeys(Schedules()));
        Assert.Empty(RecurringJobs.UnknownScheduleKeys(Schedules([.. RecurringJobs.Ids.Select(id => (id, "0 3 * * *"))])));
    }

    [Fact]
    public void The_known_ids_are_exactly_the_jobs_registered()
    {
        var jobs = new RecordedRecurringJobs();

        RecurringJobs.Register(jobs, Schedules());

        Assert.Equal(RecurringJobs.Ids.Order(), jobs.Ids.Order());
    }

    [Fact]
    public void A_schedule_is_read_under_its_job_id()
    {
        var jobs = new RecordedRecurringJobs();

        RecurringJobs.Register(jobs, Schedules(("issue-missing-receipts", "*/5 * * * *")));

        Assert.Equal("*/5 * * * *", jobs.Crons["issue-missing-receipts"]);
    }

    [Fact]
    public void Each_unknown_key_is_logged_as_a_warning_naming_it_and_the_known_ids()
    {
        using var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));

        RecurringJobs.WarnOfUnknownSchedules(factory.CreateLogger("start-up"), Schedules(("receipts:issue-missing", "*/5 * * * *")));

        var warning = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Jobs:Schedules:receipts:issue-missing", warning.Message, StringComparison.Ordinal);
        Assert.All(RecurringJobs.Ids, id => Assert.Contains(id, warning.Message, StringComparison.Ordinal));
    }

    private static IConfiguration Schedules(params (string Id, string Cron)[] schedules) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(schedules.Select(s => new KeyValuePair<string, string?>($"Jobs:Schedules:{s.Id}", s.Cron)))
            .Build();

    private sealed class RecordedRecurringJobs : IRecurringJobManager
    {
        public Dictionary<string, string> Crons { get; } = [];

        public IEnumerable<string> Ids => Crons.Keys;

        public void AddOrUpdate(string recurringJobId, Job job, string cronExpression, RecurringJobOptions options) =>
            Crons[recurringJobId] = cronExpression;

        public void Trigger(string recurringJobId) => throw new NotSupportedException();

        public void RemoveIfExists(string recurringJobId) => throw new NotSupportedException();
    }
}

/// <summary>The site itself warns at start-up of a schedule that names no job.</summary>
public sealed class RecurringJobScheduleStartUpTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public async Task The_site_warns_at_start_up_of_a_schedule_naming_no_job()
    {
        using var logs = new CapturedLogs();
        await using var site = App.WithWebHostBuilder(b =>
        {
            b.UseSetting("Jobs:Schedules:receipts:issue-missing", "*/5 * * * *");
            b.ConfigureLogging(logging => logging.AddProvider(logs));
        });

        _ = site.Services.GetRequiredService<IConfiguration>();

        var warning = Assert.Single(logs.Entries, e => e.Message.Contains("names no recurring job", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Jobs:Schedules:receipts:issue-missing", warning.Message, StringComparison.Ordinal);
        Assert.Contains("issue-missing-receipts", warning.Message, StringComparison.Ordinal);
    }
}
