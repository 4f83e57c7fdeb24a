namespace Solidarity.Web.Pages.Admin.Remittances;

/// <summary>Every branch's balance owed, the statements waiting for approval or payment, and which transfers branches have confirmed.</summary>
internal sealed class IndexModel(SolidarityDbContext db, LedgerQueries ledger) : PageModel
{
    public const int ListSize = 100;

    public IReadOnlyList<BranchBalance> Balances { get; private set; } = [];
    public IReadOnlyList<StatementRow> Statements { get; private set; } = [];
    public IReadOnlyList<PaymentRow> Payments { get; private set; } = [];

    internal sealed record StatementRow(
        Guid Id, string BranchCode, string BranchName, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, long ClosingPence,
        int DonationCount, DateTimeOffset? ApprovedAt, long PaidPence);

    internal sealed record PaymentRow(
        Guid Id, Guid StatementId, string BranchCode, DateOnly PaidOn, long AmountPence, string BankReference, string RecordedBy,
        DateTimeOffset? ConfirmedAt, string? ConfirmedBy);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Balances = await ledger.BranchBalancesAsync(cancellationToken);
        Statements = await db.RemittanceStatements.AsNoTracking()
            .OrderByDescending(s => s.PeriodEnd).ThenBy(s => s.BranchId)
            .Take(ListSize)
            .Join(db.Branches, s => s.BranchId, b => b.Id, (s, b) => new StatementRow(
                s.Id, b.Code, b.Name, s.PeriodStart, s.PeriodEnd, s.ClosingPence, s.DonationCount, s.ApprovedAt,
                db.RemittancePayments.Where(p => p.StatementId == s.Id).Sum(p => (long?)p.AmountPence) ?? 0))
            .ToListAsync(cancellationToken);
        Payments = await db.RemittancePayments.AsNoTracking()
            .OrderByDescending(p => p.RecordedAt)
            .Take(ListSize)
            .Join(db.Branches, p => p.BranchId, b => b.Id, (p, b) => new PaymentRow(
                p.Id, p.StatementId, b.Code, p.PaidOn, p.AmountPence, p.BankReference, p.RecordedByName, p.ConfirmedAt, p.ConfirmedByName))
            .ToListAsync(cancellationToken);
    }
}
