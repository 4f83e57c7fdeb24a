namespace Solidarity.Web.Pages.Remittances;

internal enum StatementOutcome
{
    Created,

    /// <summary>The branch already has a statement for this period end (or a later one): nothing changed.</summary>
    AlreadyThere,

    /// <summary>No ledger entry was recorded for the branch in the period: no statement.</summary>
    NoActivity,
}

/// <summary>A period that cannot be closed yet: a transaction that may still add to it is open. Running again later closes it.</summary>
internal sealed class StatementNotSettledException(string message) : InvalidOperationException(message);

/// <summary>
/// Closes a branch's period: sums its ledger entries in SQL and stores the statement with its totals. Each
/// branch is done in one transaction, under a lock on the branch, so a run that dies half way leaves nothing
/// behind and two runs at once produce one statement.
/// </summary>
internal sealed class StatementBuilder(SolidarityDbContext db, StatementQueries queries, TimeProvider time, ILogger<StatementBuilder> logger)
{
    /// <summary>The branches with ledger entries recorded after their last statement and before <paramref name="periodEnd"/>.</summary>
    public Task<List<Guid>> BranchesWithActivityAsync(DateTimeOffset periodEnd, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<Guid>($"""
            SELECT b."Id" AS "Value"
            FROM "Branches" AS b
            WHERE EXISTS (
                SELECT 1 FROM "LedgerEntries" AS e
                WHERE e."BranchId" = b."Id" AND e."RecordedAt" < {periodEnd.ToUniversalTime()}
                  AND e."RecordedAt" >= COALESCE(
                      (SELECT MAX(s."PeriodEnd") FROM "RemittanceStatements" AS s WHERE s."BranchId" = b."Id"), '-infinity'))
            ORDER BY b."Code"
            """).ToListAsync(cancellationToken);

    public async Task<(StatementOutcome Outcome, Guid? StatementId)> BuildAsync(Guid branchId, DateTimeOffset periodEnd, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"remittance-statement:" + branchId}, 0))", cancellationToken);

        var previous = await db.RemittanceStatements.AsNoTracking()
            .Where(s => s.BranchId == branchId)
            .OrderByDescending(s => s.PeriodEnd)
            .Select(s => new { s.Id, s.PeriodEnd, s.ClosingPence })
            .FirstOrDefaultAsync(cancellationToken);
        if (previous is not null && previous.PeriodEnd >= periodEnd)
        {
            return (StatementOutcome.AlreadyThere, previous.PeriodEnd == periodEnd ? previous.Id : null);
        }

        // An entry is stamped when its transaction starts and is seen only once it commits: a transaction begun before the
        // period ended and still open may yet add an entry to this period, which neither this statement nor the next (it
        // starts at this one's end) would ever hold. The settle time makes that unlikely; this makes it impossible for
        // every process that connects as the site does (PostgreSQL shows a role the transactions of its own sessions).
        if (await OpenSinceAsync(periodEnd, cancellationToken) is { } openSince)
        {
            throw new StatementNotSettledException(
                $"No statement for branch {branchId} up to {periodEnd:O} yet: a transaction begun at {openSince:O}, before the period ended, "
                + "is still open and may add to it. The statements job fails and runs again later, when it has ended.");
        }

        var totals = await queries.TotalsAsync(branchId, previous?.PeriodEnd, periodEnd, cancellationToken);
        if (totals.EntryCount == 0)
        {
            return (StatementOutcome.NoActivity, null);
        }

        if (totals.OtherPence != 0)
        {
            throw new InvalidOperationException($"Branch {branchId} has ledger entries of a kind statements do not know; no statement was made.");
        }

        var statement = new RemittanceStatement
        {
            BranchId = branchId,
            PeriodStart = previous?.PeriodEnd ?? totals.FirstRecordedAt!.Value,
            PeriodEnd = periodEnd.ToUniversalTime(),
            OpeningPence = previous?.ClosingPence ?? 0,
            CardDonationsPence = totals.CardDonationsPence,
            FeesPence = totals.FeesPence,
            RefundsPence = totals.RefundsPence,
            ChargebacksPence = totals.ChargebacksPence,
            ChargebackReversalsPence = totals.ChargebackReversalsPence,
            OfflinePence = totals.OfflinePence,
            RemittancesPence = totals.RemittancesPence,
            DonationCount = totals.DonationCount,
            EntryCount = totals.EntryCount,
            CreatedAt = time.GetUtcNow(),
        };
        statement.ClosingPence = statement.OpeningPence + statement.MovementPence;

        // The statements carry each closing balance forward, so one that left an entry out would be wrong for good: the
        // closing must be what the ledger holds for the branch up to the period's end, or nothing is stored.
        var ledger = await LedgerBalanceAsync(branchId, periodEnd, cancellationToken);
        if (statement.ClosingPence != ledger)
        {
            throw new InvalidOperationException(
                $"No statement for branch {branchId} up to {periodEnd:O}: it would close at {statement.ClosingPence}p, but the ledger holds {ledger}p "
                + $"for the branch up to then. An entry recorded before {statement.PeriodStart:O} was committed after the statement of its period "
                + "was made, and no statement counts it; nothing is paid against a balance that does not reconcile.");
        }

        db.RemittanceStatements.Add(statement);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // The lock makes this unlikely; the unique index makes it harmless.
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return (StatementOutcome.AlreadyThere, null);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }

        logger.LogInformation(
            "Statement {StatementId} for branch {BranchId}: {Start} to {End}, {Donations} donations, closing {Closing}p",
            statement.Id, branchId, statement.PeriodStart, statement.PeriodEnd, statement.DonationCount, statement.ClosingPence);
        return (StatementOutcome.Created, statement.Id);
    }

    /// <summary>
    /// When the oldest transaction still open, begun before <paramref name="periodEnd"/>, began; null when none is. Only
    /// clients' sessions: an autovacuum worker's long pass over a large table adds no entry.
    /// </summary>
    private Task<DateTimeOffset?> OpenSinceAsync(DateTimeOffset periodEnd, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<DateTimeOffset?>($"""
            SELECT min(a.xact_start) AS "Value"
            FROM pg_stat_activity AS a
            WHERE a.datname = current_database() AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
              AND a.xact_start < {periodEnd.ToUniversalTime()}
            """).SingleAsync(cancellationToken);

    /// <summary>The branch's balance from its ledger up to <paramref name="periodEnd"/>: the running totals less the entries recorded since.</summary>
    private Task<long> LedgerBalanceAsync(Guid branchId, DateTimeOffset periodEnd, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<long>($"""
            SELECT (COALESCE((SELECT SUM(t."AmountPence") FROM "LedgerTotals" AS t WHERE t."BranchId" = {branchId}), 0)
                - COALESCE((SELECT SUM(e."AmountPence") FROM "LedgerEntries" AS e
                            WHERE e."BranchId" = {branchId} AND e."RecordedAt" >= {periodEnd.ToUniversalTime()}), 0))::bigint AS "Value"
            """).SingleAsync(cancellationToken);
}
