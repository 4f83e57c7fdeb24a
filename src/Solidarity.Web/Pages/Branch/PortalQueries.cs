namespace Solidarity.Web.Pages.BranchPortal;

/// <summary>The officer's own branch, as every page of the portal shows it.</summary>
internal sealed record BranchHeading(Guid Id, string Code, string Name);

/// <summary>What one dispute has brought the branch, from the ledger.</summary>
internal sealed record DisputeRaised(Guid DisputeId, string Title, long DonationsPence, long FeesPence, long RefundsAndChargebacksPence, long RemittedPence, long OwedPence);

internal static class PortalQueries
{
    public static Task<BranchHeading?> HeadingAsync(SolidarityDbContext db, Guid branchId, CancellationToken cancellationToken) =>
        db.Branches.AsNoTracking().Where(b => b.Id == branchId).Select(b => new BranchHeading(b.Id, b.Code, b.Name)).SingleOrDefaultAsync(cancellationToken);

    /// <summary>The branch's money dispute by dispute, summed by PostgreSQL; a branch has a handful of disputes, not thousands.</summary>
    public static async Task<List<DisputeRaised>> ByDisputeAsync(SolidarityDbContext db, Guid branchId, CancellationToken cancellationToken)
    {
        var sums = await db.LedgerEntries.AsNoTracking()
            .Where(e => e.BranchId == branchId)
            .GroupBy(e => e.DisputeId)
            .Select(g => new
            {
                DisputeId = g.Key,
                Donations = g.Sum(e => e.Kind == LedgerEntryKind.DonationReceived || e.Kind == LedgerEntryKind.OfflineDonation || e.Kind == LedgerEntryKind.OfflineDonationReversed ? e.AmountPence : 0),
                Fees = g.Sum(e => e.Kind == LedgerEntryKind.ProcessingFee || e.Kind == LedgerEntryKind.ChargebackFee ? e.AmountPence : 0),
                Taken = g.Sum(e => e.Kind == LedgerEntryKind.Refund || e.Kind == LedgerEntryKind.RefundReversed || e.Kind == LedgerEntryKind.Chargeback || e.Kind == LedgerEntryKind.ChargebackReversed ? e.AmountPence : 0),
                Remitted = g.Sum(e => e.Kind == LedgerEntryKind.Remittance ? e.AmountPence : 0),
                Owed = g.Sum(e => e.AmountPence),
            })
            .ToListAsync(cancellationToken);
        var ids = sums.Select(s => s.DisputeId).ToList();
        var titles = await db.Disputes.AsNoTracking().Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.Title, cancellationToken);
        return sums
            .Select(s => new DisputeRaised(s.DisputeId, titles[s.DisputeId], s.Donations, s.Fees, s.Taken, s.Remitted, s.Owed))
            .OrderBy(d => d.Title, StringComparer.CurrentCulture)
            .ToList();
    }
}
