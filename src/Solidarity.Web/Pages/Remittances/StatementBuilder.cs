namespace Solidarity.Web.Pages.Remittances;

internal enum StatementOutcome
{
    Created,

    /// <summary>The branch already has a statement for this period end (or a later one): nothing changed.</summary>
    AlreadyThere,

    /// <summary>No ledger entry was recorded for the branch in the period: no statement.</summary>
    NoActivity,
}

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
}
