using Npgsql;
using NpgsqlTypes;
using Solidarity.Web.Infrastructure.Data;

namespace Solidarity.Web.Pages.Ledger;

/// <summary>
/// Writes entries for <see cref="LedgerPostings"/>, the only caller. Posts entries with INSERT … ON CONFLICT ("Key") DO
/// NOTHING: a cause already posted, by this request or a concurrent one, is left as it is instead of failing the whole
/// transaction. The rows travel as one array per column, so a batch of a thousand entries is still one short statement.
/// </summary>
internal static class LedgerWriter
{
    private const string Insert = """
        INSERT INTO "LedgerEntries"
            ("DisputeId", "BranchId", "Kind", "AmountPence", "Currency", "Key", "DonationId", "StripeObjectId", "OccurredAt", "Note")
        SELECT "DisputeId", "BranchId", "Kind", "AmountPence", @currency, "Key", "DonationId", "StripeObjectId", "OccurredAt", "Note"
        FROM unnest(@disputes, @branches, @kinds, @amounts, @keys, @donations, @objects, @occurred, @notes)
            AS line ("DisputeId", "BranchId", "Kind", "AmountPence", "Key", "DonationId", "StripeObjectId", "OccurredAt", "Note")
        ON CONFLICT ("Key") DO NOTHING
        """;

    /// <summary>Locks the branches, sorted by id, as <see cref="LedgerLocks"/> does, ahead of the entries in the same round trip.</summary>
    private const string LockBranches = """
        SELECT 1 FROM "Branches" WHERE "Id" = ANY(@branches_to_lock) ORDER BY "Id" FOR UPDATE
        """;

    /// <returns>How many entries were new.</returns>
    public static async Task<int> PostAsync(SolidarityDbContext db, IEnumerable<LedgerLine> lines, CancellationToken cancellationToken)
    {
        var rows = lines.Where(l => l.AmountPence != 0).ToArray();
        return rows.Length == 0 ? 0 : await db.Database.ExecuteSqlRawAsync(Insert, Parameters(rows), cancellationToken);
    }

    /// <summary>
    /// Locks the branches, posts the entries and commits, in one round trip, after <paramref name="ahead"/> when given:
    /// the lock statement runs before the entries, so nothing is posted before every branch is held, and the commit that
    /// releases the branches travels with the statement that takes them, so they are held for no round trip at all.
    /// Nothing to post locks nothing. The caller's transaction is over when this returns: it only disposes it.
    /// </summary>
    /// <param name="ahead">
    /// A statement of the caller's, on rows it already holds, sent first in the same round trip (a webhook batch marks
    /// its donations paid this way): it runs before the branches are locked, so it does not lengthen their hold.
    /// </param>
    public static async Task PostLockingBranchesAndCommitAsync(
        SolidarityDbContext db, IReadOnlyList<Guid> sortedBranchIds, IEnumerable<LedgerLine> lines, CancellationToken cancellationToken,
        NpgsqlBatchCommand? ahead = null)
    {
        var rows = lines.Where(l => l.AmountPence != 0).ToArray();
        await using var batch = StatementBatches.InTransaction(db);
        if (ahead is not null)
        {
            batch.BatchCommands.Add(ahead);
        }

        if (rows.Length > 0)
        {
            batch.BatchCommands.Add(StatementBatches.Command(LockBranches, Column("branches_to_lock", NpgsqlDbType.Uuid, sortedBranchIds.ToArray())));
            batch.BatchCommands.Add(StatementBatches.Command(Insert, Parameters(rows)));
        }

        batch.BatchCommands.Add(StatementBatches.Commit());
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter[] Parameters(LedgerLine[] rows) =>
        [
            new("currency", Money.Gbp),
            Column("disputes", NpgsqlDbType.Uuid, rows.Select(l => l.DisputeId).ToArray()),
            Column("branches", NpgsqlDbType.Uuid, rows.Select(l => l.BranchId).ToArray()),
            Column("kinds", NpgsqlDbType.Text, rows.Select(l => l.Kind.ToString()).ToArray()),
            Column("amounts", NpgsqlDbType.Bigint, rows.Select(l => l.AmountPence).ToArray()),
            Column("keys", NpgsqlDbType.Text, rows.Select(l => l.Key).ToArray()),
            Column("donations", NpgsqlDbType.Uuid, rows.Select(l => l.DonationId).ToArray()),
            Column("objects", NpgsqlDbType.Text, rows.Select(l => l.StripeObjectId).ToArray()),
            Column("occurred", NpgsqlDbType.TimestampTz, rows.Select(l => l.OccurredAt.UtcDateTime).ToArray()),
            Column("notes", NpgsqlDbType.Text, rows.Select(l => l.Note).ToArray()),
        ];

    private static NpgsqlParameter Column(string name, NpgsqlDbType type, Array values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values };
}
