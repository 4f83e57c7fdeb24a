using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Solidarity.Web.Infrastructure.Hosting;

/// <summary>
/// `/health/live`: the process answers, whatever its dependencies, for a supervisor deciding whether to restart it.
/// `/health/ready`: it can serve pages, for a proxy or load balancer deciding whether to send it requests.
/// Both answer plain `Healthy` or `Unhealthy` (503), and nothing about why: the reason goes to the log.
/// </summary>
internal static class HealthHosting
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string ReadyTag = "ready";

    public static void AddSolidarityHealth(this WebApplicationBuilder builder) =>
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", HealthStatus.Unhealthy, [ReadyTag], TimeSpan.FromSeconds(5));

    public static void MapSolidarityHealth(this WebApplication app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false }).ForAudience(Audience.Machine);
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).ForAudience(Audience.Machine);
    }

    /// <summary>
    /// The database answers, and has every migration this build knows: a new version started before `migrate` ran
    /// would fail on the first page that touches a new column, so it is not ready.
    /// </summary>
    private sealed class DatabaseHealthCheck(SolidarityDbContext db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            IReadOnlyList<string> pending;
            try
            {
                // One query on the migrations history, which also proves the connection.
                pending = [.. await db.Database.GetPendingMigrationsAsync(cancellationToken)];
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("The database does not answer.", e);
            }

            return pending.Count == 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied, the first {pending[0]}: run `migrate`.");
        }
    }
}
