using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Solidarity.Core.Data;
using Solidarity.Core.Amounts;

namespace Solidarity.Web.Pages.Ledger;

/// <summary>
/// Writes entries for <see cref="LedgerPostings"/>, the only caller. Posts entries with INSERT … ON CONFLICT ("Key") DO NOTHING: a cause already posted, by this
/// request or a concurrent one, is left as it is instead of failing the whole transaction.
/// </summary>
internal static class LedgerWriter
{
    private const int ColumnsPerRow = 10;

    /// <returns>How many entries were new.</returns>
    public static async Task<int> PostAsync(SolidarityDbContext db, IEnumerable<LedgerLine> lines, CancellationToken cancellationToken)
    {
        var rows = lines.Where(l => l.AmountPence != 0).ToArray();
        if (rows.Length == 0)
        {
            return 0;
        }

        var sql = new StringBuilder("""
            INSERT INTO "LedgerEntries"
                ("DisputeId", "BranchId", "Kind", "AmountPence", "Currency", "Key", "DonationId", "StripeObjectId", "OccurredAt", "Note")
            VALUES
            """);
        var parameters = new List<NpgsqlParameter>(rows.Length * ColumnsPerRow);
        foreach (var (line, row) in rows.Select((l, i) => (l, i)))
        {
            sql.Append(row == 0 ? "\n(" : ",\n(");
            sql.AppendJoin(", ", Enumerable.Range(row * ColumnsPerRow, ColumnsPerRow).Select(i => $"@p{i}"));
            sql.Append(')');
            object?[] values =
            [
                line.DisputeId, line.BranchId, line.Kind.ToString(), line.AmountPence, Money.Gbp, line.Key,
                line.DonationId, line.StripeObjectId, line.OccurredAt.ToUniversalTime(), line.Note,
            ];
            parameters.AddRange(values.Select((value, column) => new NpgsqlParameter($"p{row * ColumnsPerRow + column}", value ?? DBNull.Value)));
        }

        sql.Append("\nON CONFLICT (\"Key\") DO NOTHING");
        return await db.Database.ExecuteSqlRawAsync(sql.ToString(), parameters, cancellationToken);
    }
}
