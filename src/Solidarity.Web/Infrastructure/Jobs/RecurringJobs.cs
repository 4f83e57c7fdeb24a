using Hangfire;
using Microsoft.Extensions.Options;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Remittances;

namespace Solidarity.Web.Infrastructure.Jobs;

/// <summary>
/// Every recurring job of the site, registered in this one place when a process starts. Registering is an
/// upsert keyed by the job's id, so every process may do it and a changed schedule replaces the old one.
/// </summary>
internal sealed class RecurringJobs(IRecurringJobManager jobs, IOptions<RemittanceSettings> remittances) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var london = new RecurringJobOptions { TimeZone = LondonClock.London };
        jobs.AddOrUpdate<BuildStatementsJob>(BuildStatementsJob.RecurringId, job => job.RunAsync(CancellationToken.None), remittances.Value.StatementCron, london);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
