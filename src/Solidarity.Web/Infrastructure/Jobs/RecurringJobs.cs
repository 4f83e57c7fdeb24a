using Hangfire;
using Solidarity.Web.Pages.Admin.Donors;
using Solidarity.Web.Pages.Admin.Updates;
using Solidarity.Web.Pages.Messages;

namespace Solidarity.Web.Infrastructure.Jobs;

/// <summary>
/// Every recurring job of the site, registered in this one place at start-up. A schedule can be changed
/// with configuration: `Jobs:Schedules:{job id}` = a cron expression, read in Europe/London time.
/// </summary>
internal static class RecurringJobs
{
    private const string SchedulesSection = "Jobs:Schedules";

    /// <summary>The id of every recurring job <see cref="Register"/> adds: the keys `Jobs:Schedules` may hold.</summary>
    public static readonly IReadOnlyList<string> Ids =
    [
        IssueMissingReceiptsJob.RecurringJobId,
        PublishScheduledUpdatesJob.RecurringId,
        SendBranchDigestsJob.RecurringId,
        BuildStatementsJob.RecurringId,
        CheckLedgerTotalsJob.RecurringJobId,
        PurgeThrottlesJob.RecurringJobId,
        ClearExpiredPersonalDataJob.RecurringJobId,
        SendYearStatementsJob.RecurringJobId,
        EndUnmovedMonthlyGiftsJob.RecurringJobId,
    ];

    public static void RegisterRecurringJobs(this WebApplication app) =>
        Register(app.Services.GetRequiredService<IRecurringJobManager>(), app.Configuration);

    public static void Register(IRecurringJobManager jobs, IConfiguration configuration)
    {
        var options = new RecurringJobOptions { TimeZone = LondonClock.London };
        string Cron(string id, string fallback) => configuration[$"{SchedulesSection}:{id}"] ?? fallback;

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
        jobs.AddOrUpdate<CheckLedgerTotalsJob>(
            CheckLedgerTotalsJob.RecurringJobId, job => job.RunAsync(CancellationToken.None),
            Cron(CheckLedgerTotalsJob.RecurringJobId, "30 * * * *"), options);
        jobs.AddOrUpdate<PurgeThrottlesJob>(
            PurgeThrottlesJob.RecurringJobId, job => job.RunAsync(CancellationToken.None),
            Cron(PurgeThrottlesJob.RecurringJobId, "10 * * * *"), options);
        jobs.AddOrUpdate<ClearExpiredPersonalDataJob>(
            ClearExpiredPersonalDataJob.RecurringJobId, job => job.RunAsync(CancellationToken.None),
            Cron(ClearExpiredPersonalDataJob.RecurringJobId, "40 3 * * *"), options);

        // Last year's statements, early on 2 January: after New Year's Day, before the working year's first morning.
        jobs.AddOrUpdate<SendYearStatementsJob>(
            SendYearStatementsJob.RecurringJobId, job => job.RunAsync(CancellationToken.None),
            Cron(SendYearStatementsJob.RecurringJobId, "0 6 2 1 *"), options);
        jobs.AddOrUpdate<EndUnmovedMonthlyGiftsJob>(
            EndUnmovedMonthlyGiftsJob.RecurringJobId, job => job.RunAsync(CancellationToken.None),
            Cron(EndUnmovedMonthlyGiftsJob.RecurringJobId, "20 4 * * *"), options);
    }

    /// <summary>
    /// The keys under `Jobs:Schedules` that name no recurring job (a typo, or an id from an older runbook): each
    /// is ignored, so the job it meant keeps its default schedule. Keys ignore case, as the lookup does.
    /// </summary>
    public static IReadOnlyList<string> UnknownScheduleKeys(IConfiguration configuration)
    {
        var schedules = configuration.GetSection(SchedulesSection);

        // Only leaves are schedules: some sources (the command line among them) give each parent of a key
        // containing colons an empty value of its own.
        return schedules.AsEnumerable(makePathsRelative: true)
            .Where(setting => setting.Value is not null && !schedules.GetSection(setting.Key).GetChildren().Any())
            .Select(setting => setting.Key)
            .Where(key => !Ids.Contains(key, StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Warns of every unknown schedule key, so a schedule that changes nothing is seen in the log.</summary>
    public static void WarnOfUnknownSchedules(ILogger logger, IConfiguration configuration)
    {
        foreach (var key in UnknownScheduleKeys(configuration))
        {
            logger.LogWarning(
                "{Section}:{Key} names no recurring job and is ignored. Recurring job ids: {KnownIds}",
                SchedulesSection, key, string.Join(", ", Ids));
        }
    }
}
