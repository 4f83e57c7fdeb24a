using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Data;

namespace Solidarity.Web.Pages.Donations.Ledger;

/// <summary>
/// Posts entries with INSERT … ON CONFLICT ("Key") DO NOTHING: a cause already posted, by this
/// request or a concurrent one, is left as it is instead of failing the whole transaction.
/// </summary>
internal static class LedgerWriter
{
    /// <returns>How many entries were new.</returns>
    public static async Task<int> PostAsync(SolidarityDbContext db, IEnumerable<LedgerLine> lines, CancellationToken cancellationToken)
    {
        var posted = 0;
        foreach (var line in lines.Where(l => l.AmountPence != 0))
        {
            posted += await db.Database.ExecuteSqlInterpolatedAsync(
                $"""
                INSERT INTO "LedgerEntries"
                    ("DisputeId", "BranchId", "Kind", "AmountPence", "Currency", "Key", "DonationId", "StripeObjectId", "OccurredAt", "Note")
                VALUES ({line.DisputeId}, {line.BranchId}, {line.Kind.ToString()}, {line.AmountPence}, {Core.Money.Money.Gbp},
                    {line.Key}, {line.DonationId}, {line.StripeObjectId}, {line.OccurredAt.ToUniversalTime()}, {line.Note})
                ON CONFLICT ("Key") DO NOTHING
                """,
                cancellationToken);
        }

        return posted;
    }
}
