using Solidarity.Web.Infrastructure.Jobs;

namespace Solidarity.Web.Pages.Remittances;

/// <summary>
/// The weekly statements: for every branch with ledger activity since its last statement, the statement of
/// the period up to the last period end that ended at least the settle time ago. Safe to run any number of
/// times: a branch already stated for that period end, or without activity, is left alone.
/// </summary>
internal sealed class BuildStatementsJob(StatementBuilder builder, IOptions<RemittanceSettings> options, TimeProvider time, ILogger<BuildStatementsJob> logger)
{
    public const string RecurringId = "remittance-statements";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var periodEnd = StatementPeriods.LastClosable(time.GetUtcNow(), options.Value);
        var created = await RunUntilAsync(periodEnd, cancellationToken);
        logger.LogInformation("Statements up to {PeriodEnd}: {Created} created", periodEnd, created);
    }

    /// <returns>How many statements were created.</returns>
    /// <remarks>One branch's failure rolls back only its own statement; the others still get theirs (<see cref="EachAlone"/>).</remarks>
    public async Task<int> RunUntilAsync(DateTimeOffset periodEnd, CancellationToken cancellationToken) =>
        await EachAlone.RunAsync(
            await builder.BranchesWithActivityAsync(periodEnd, cancellationToken),
            async branchId => (await builder.BuildAsync(branchId, periodEnd, cancellationToken)).Outcome == StatementOutcome.Created,
            logger,
            $"branch statements up to {periodEnd:O}",
            cancellationToken);
}
