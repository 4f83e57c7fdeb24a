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
    public async Task<int> RunUntilAsync(DateTimeOffset periodEnd, CancellationToken cancellationToken)
    {
        var created = 0;
        var failures = new List<Exception>();
        foreach (var branchId in await builder.BranchesWithActivityAsync(periodEnd, cancellationToken))
        {
            try
            {
                var (outcome, _) = await builder.BuildAsync(branchId, periodEnd, cancellationToken);
                created += outcome == StatementOutcome.Created ? 1 : 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One branch's failure rolls back only its own statement; the others still get theirs, and the
                // job fails at the end so that a retry makes good the ones missing.
                logger.LogError(e, "No statement for branch {BranchId} up to {PeriodEnd}", branchId, periodEnd);
                failures.Add(e);
            }
        }

        return failures.Count == 0
            ? created
            : throw new AggregateException($"{failures.Count} branch statement(s) up to {periodEnd:O} failed; {created} created.", failures);
    }
}
