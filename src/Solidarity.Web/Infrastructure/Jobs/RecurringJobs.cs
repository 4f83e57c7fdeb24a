using Hangfire;
using Microsoft.Extensions.Options;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Admin.Updates;
using Solidarity.Web.Pages.Messages;

namespace Solidarity.Web.Infrastructure.Jobs;

/// <summary>Every recurring job of the site, in one place; cron expressions are read in Europe/London.</summary>
internal static class RecurringJobs
{
    public static void UseRecurringJobs(this WebApplication app)
    {
        // A manager on the site's own storage: resolving Hangfire's registered one would configure Hangfire's
        // process-wide globals (its logger among them) from this host, which outlive the host in tests.
        var jobs = new RecurringJobManager(app.Services.GetRequiredService<JobStorage>());
        var london = new RecurringJobOptions { TimeZone = LondonClock.London };
        var messages = app.Services.GetRequiredService<IOptions<MessageSettings>>().Value;

        jobs.AddOrUpdate<PublishScheduledUpdatesJob>(
            PublishScheduledUpdatesJob.RecurringId, job => job.RunAsync(CancellationToken.None), Cron.Minutely(), london);
        jobs.AddOrUpdate<SendBranchDigestsJob>(
            SendBranchDigestsJob.RecurringId, job => job.RunAsync(CancellationToken.None), messages.DigestCron, london);
    }
}
