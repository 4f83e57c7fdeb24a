using Hangfire;
using Hangfire.Common;
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

    /// <summary>
    /// Every recurring job, in the order <see cref="Register"/> adds them: its id (also its key under `Jobs:Schedules`),
    /// the call it makes, and its schedule when that key is not set.
    /// </summary>
    private static readonly (string Id, Job Call, string? DefaultCron)[] Schedules =
    [
        (IssueMissingReceiptsJob.RecurringJobId, Job.FromExpression<IssueMissingReceiptsJob>(job => job.RunAsync(CancellationToken.None)), "*/15 * * * *"),
        (PublishScheduledUpdatesJob.RecurringId, Job.FromExpression<PublishScheduledUpdatesJob>(job => job.RunAsync(CancellationToken.None)), "* * * * *"),
        (SendBranchDigestsJob.RecurringId, Job.FromExpression<SendBranchDigestsJob>(job => job.RunAsync(CancellationToken.None)), "0 7 * * *"),
        // No default of its own: `Remittances:StatementCron` (RemittanceSettings) sets it.
        (BuildStatementsJob.RecurringId, Job.FromExpression<BuildStatementsJob>(job => job.RunAsync(CancellationToken.None)), null),
        (CheckLedgerTotalsJob.RecurringJobId, Job.FromExpression<CheckLedgerTotalsJob>(job => job.RunAsync(CancellationToken.None)), "30 * * * *"),
        (PurgeThrottlesJob.RecurringJobId, Job.FromExpression<PurgeThrottlesJob>(job => job.RunAsync(CancellationToken.None)), "10 * * * *"),
        (ClearExpiredPersonalDataJob.RecurringJobId, Job.FromExpression<ClearExpiredPersonalDataJob>(job => job.RunAsync(CancellationToken.None)), "40 3 * * *"),
        // Last year's statements, early on 2 January: after New Year's Day, before the working year's first morning.
        (SendYearStatementsJob.RecurringJobId, Job.FromExpression<SendYearStatementsJob>(job => job.RunAsync(CancellationToken.None)), "0 6 2 1 *"),
        (EndUnmovedMonthlyGiftsJob.RecurringJobId, Job.FromExpression<EndUnmovedMonthlyGiftsJob>(job => job.RunAsync(CancellationToken.None)), "20 4 * * *"),
    ];

    /// <summary>The id of every recurring job <see cref="Register"/> adds: the keys `Jobs:Schedules` may hold.</summary>
    public static readonly IReadOnlyList<string> Ids = [.. Schedules.Select(schedule => schedule.Id)];

    public static void RegisterRecurringJobs(this WebApplication app) =>
        Register(app.Services.GetRequiredService<IRecurringJobManager>(), app.Configuration);

    public static void Register(IRecurringJobManager jobs, IConfiguration configuration)
    {
        var options = new RecurringJobOptions { TimeZone = LondonClock.London };
        var remittances = configuration.GetSection(RemittanceSettings.Section).Get<RemittanceSettings>() ?? new RemittanceSettings();

        foreach (var (id, call, defaultCron) in Schedules)
        {
            jobs.AddOrUpdate(id, call, configuration[$"{SchedulesSection}:{id}"] ?? defaultCron ?? remittances.StatementCron, options);
        }
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
