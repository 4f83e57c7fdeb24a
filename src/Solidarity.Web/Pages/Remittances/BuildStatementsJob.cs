using Microsoft.Extensions.Options;

namespace Solidarity.Web.Pages.Remittances;

/// <summary>
/// The weekly statements: for every branch with ledger activity since its last statement, the statement of
/// the period up to the last period end before now. Safe to run any number of times: a branch already
/// stated for that period end, or without activity, is left alone.
/// </summary>
internal sealed class BuildStatementsJob(StatementBuilder builder, IOptions<RemittanceSettings> options, TimeProvider time, ILogger<BuildStatementsJob> logger)
{
    public const string RecurringId = "remittance-statements";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var periodEnd = StatementPeriods.LastEndBefore(time.GetUtcNow(), options.Value.PeriodEndsOn);
        var created = await RunUntilAsync(periodEnd, cancellationToken);
        logger.LogInformation("Statements up to {PeriodEnd}: {Created} created", periodEnd, created);
    }

    /// <returns>How many statements were created.</returns>
    public async Task<int> RunUntilAsync(DateTimeOffset periodEnd, CancellationToken cancellationToken)
    {
        var created = 0;
        foreach (var branchId in await builder.BranchesWithActivityAsync(periodEnd, cancellationToken))
        {
            var (outcome, _) = await builder.BuildAsync(branchId, periodEnd, cancellationToken);
            created += outcome == StatementOutcome.Created ? 1 : 0;
        }

        return created;
    }
}
