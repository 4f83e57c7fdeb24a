namespace Solidarity.Web.Pages.Ledger;

/// <summary>
/// Recomputes every running total from the ledger's entries and compares. The totals are kept by the database in
/// the statement that posts each entry, so a difference means something wrote to the tables by hand: it is logged,
/// recorded in the audit log, and shown on the reconciliation page (which runs the same comparison) until mended.
/// The job only reports; it never rewrites money.
/// </summary>
internal sealed class CheckLedgerTotalsJob(SolidarityDbContext db, LedgerQueries ledger, AuditTrail audit, ILogger<CheckLedgerTotalsJob> logger)
{
    public const string RecurringJobId = "check-ledger-totals";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var differences = await ledger.TotalsDifferencesAsync(cancellationToken);
        if (differences.Count == 0)
        {
            return 0;
        }

        foreach (var difference in differences)
        {
            logger.LogError(
                "Ledger total for dispute {DisputeId}, branch {BranchId}, {Kind} is {Total}p but its entries sum to {Entries}p",
                difference.DisputeId, difference.BranchId, difference.Kind, difference.TotalPence, difference.EntriesPence);
        }

        audit.RecordBySite(AuditActions.LedgerTotalsDiffer, "LedgerTotals", "all", new { differences });
        await db.SaveChangesAsync(cancellationToken);
        return differences.Count;
    }
}
