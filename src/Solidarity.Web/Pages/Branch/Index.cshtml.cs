namespace Solidarity.Web.Pages.BranchPortal;

/// <summary>The branch officer's portal: what has been raised for the branch, its statements and the transfers paying them.</summary>
internal sealed class IndexModel(SolidarityDbContext db, BranchOfficers officers) : PageModel
{
    public BranchHeading Branch { get; private set; } = default!;
    public IReadOnlyList<DisputeRaised> Disputes { get; private set; } = [];
    public IReadOnlyList<StatementRow> Statements { get; private set; } = [];

    internal sealed record StatementRow(Guid Id, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, long ClosingPence, int DonationCount, long PaidPence, int Unconfirmed);

    public long OwedPence => Disputes.Sum(d => d.OwedPence);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await officers.BranchIdAsync(User, cancellationToken) is not { } branchId
            || await PortalQueries.HeadingAsync(db, branchId, cancellationToken) is not { } branch)
        {
            return NotFound();
        }

        Branch = branch;
        Disputes = await PortalQueries.ByDisputeAsync(db, branchId, cancellationToken);
        Statements = await db.RemittanceStatements.AsNoTracking()
            .Where(s => s.BranchId == branchId)
            .OrderByDescending(s => s.PeriodEnd)
            .Select(s => new StatementRow(
                s.Id, s.PeriodStart, s.PeriodEnd, s.ClosingPence, s.DonationCount,
                db.RemittancePayments.Where(p => p.StatementId == s.Id).Sum(p => (long?)p.AmountPence) ?? 0,
                db.RemittancePayments.Count(p => p.StatementId == s.Id && p.ConfirmedAt == null)))
            .ToListAsync(cancellationToken);
        return Page();
    }
}
