namespace Solidarity.Web.Pages.BranchPortal;

/// <summary>One of the branch's statements, its downloads, and the transfers paying it, which the officer confirms on arrival.</summary>
internal sealed class StatementModel(SolidarityDbContext db, BranchOfficers officers, StatementFiles files, RemittancePayments payments) : PageModel
{
    [TempData]
    public string? Notice { get; set; }

    public StatementFacts Facts { get; private set; } = default!;
    public IReadOnlyList<RemittancePayment> Payments { get; private set; } = [];

    /// <summary>What the statement closed with (never below zero), and what has been paid to the branch since its period ended.</summary>
    public (long ClosedWith, long PaidSince) Settlement { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await officers.BranchIdAsync(User, cancellationToken) is not { } branchId
            || await files.FindAsync(id, branchId, cancellationToken) is not { } facts)
        {
            return NotFound();
        }

        Facts = facts;
        Payments = await db.RemittancePayments.AsNoTracking().Where(p => p.StatementId == id && p.BranchId == branchId).OrderBy(p => p.RecordedAt).ToListAsync(cancellationToken);

        // A later statement carries forward what this one left unpaid, so a transfer against it pays this one too: the
        // officer is told so, as the admins are, rather than left to chase money already sent.
        Settlement = await payments.StatementPaymentsAsync(id, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostConfirmAsync(Guid id, Guid paymentId, CancellationToken cancellationToken)
    {
        if (await officers.BranchIdAsync(User, cancellationToken) is not { } branchId
            || await files.FindAsync(id, branchId, cancellationToken) is null
            || !await db.RemittancePayments.AnyAsync(p => p.Id == paymentId && p.StatementId == id, cancellationToken)
            || await payments.ConfirmAsync(paymentId, branchId, User, cancellationToken) is not { } result)
        {
            return NotFound();
        }

        Notice = result.Message;
        return RedirectToPage(new { id });
    }
}
