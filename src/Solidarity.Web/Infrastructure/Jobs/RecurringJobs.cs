using Hangfire;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Admin.Updates;
using Solidarity.Web.Pages.Messages;
using Solidarity.Web.Pages.Receipts;
using Solidarity.Web.Pages.Remittances;

namespace Solidarity.Web.Infrastructure.Jobs;

/// <summary>
/// Every recurring job of the site, registered in this one place at start-up. A schedule can be changed
/// with configuration: `Jobs:Schedules:{job id}` = a cron expression, read in Europe/London time.
/// </summary>
internal static class RecurringJobs
{
    public static void RegisterRecurringJobs(this WebApplication app) =>
        Register(app.Services.GetRequiredService<IRecurringJobManager>(), app.Configuration);

    public static void Register(IRecurringJobManager jobs, IConfiguration configuration)
    {
        var options = new RecurringJobOptions { TimeZone = LondonClock.London };
        string Cron(string id, string fallback) => configuration[$"Jobs:Schedules:{id}"] ?? fallback;

        jobs.AddOrUpdate<IssueMissingReceiptsJob>(
            IssueMissingReceiptsJob.RecurringJobId, job => job.RunAsync(CancellationToken.None),
            Cron(IssueMissingReceiptsJob.RecurringJobId, "*/15 * * * *"), options);
        jobs.AddOrUpdate<PublishScheduledUpdatesJob>(
            PublishScheduledUpdatesJob.RecurringId, job => job.RunAsync(CancellationToken.None),
            Cron(PublishScheduledUpdatesJob.RecurringId, "* * * * *"), options);
        jobs.AddOrUpdate<SendBranchDigestsJob>(
            SendBranchDigestsJob.RecurringId, job => job.RunAsync(CancellationToken.None),
            Cron(SendBranchDigestsJob.RecurringId, "0 7 * * *"), options);

        var remittances = configuration.GetSection(RemittanceSettings.Section).Get<RemittanceSettings>() ?? new RemittanceSettings();
        jobs.AddOrUpdate<BuildStatementsJob>(
            BuildStatementsJob.RecurringId, job => job.RunAsync(CancellationToken.None),
            Cron(BuildStatementsJob.RecurringId, remittances.StatementCron), options);
    }
}
