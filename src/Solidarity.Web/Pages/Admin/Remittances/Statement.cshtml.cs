namespace Solidarity.Web.Pages.Admin.Remittances;

/// <summary>One statement for review: approve it, then record the transfer that pays it (by another admin, where there is one).</summary>
internal sealed class StatementModel(SolidarityDbContext db, StatementFiles files, RemittancePayments payments, TimeProvider time) : PageModel
{
    public const int PreviewLines = 20;

    [BindProperty]
    public PaymentInput Input { get; set; } = new();

    [TempData]
    public string? Notice { get; set; }

    public StatementFacts Facts { get; private set; } = default!;
    public IReadOnlyList<StatementLine> Preview { get; private set; } = [];
    public IReadOnlyList<RemittancePayment> Payments { get; private set; } = [];
    public long OwedPence { get; private set; }

    /// <summary>What the statement approved (its closing balance, never below zero) and what has been paid against it.</summary>
    public long ApprovedPence { get; private set; }
    public long PaidPence { get; private set; }
    public int AdminCount { get; private set; }
    public bool AllowSingleAdmin => payments.AllowSingleAdmin;

    /// <summary>This admin approved the statement and another admin exists: they may not record its payment.</summary>
    public bool BlockedByTwoPersonRule { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Input.PaidOn = DateOnly.FromDateTime(LondonClock.ToLondon(time.GetUtcNow()).DateTime);
        var payable = Math.Min(OwedPence, ApprovedPence - PaidPence);
        Input.Amount = payable > 0 ? StatementCsv.Pounds(payable) : null;
        return Page();
    }

    public async Task<IActionResult> OnPostApproveAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await files.FindAsync(id, onlyForBranch: null, cancellationToken) is null)
        {
            return NotFound();
        }

        Notice = (await payments.ApproveAsync(id, User, cancellationToken)).Message;
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostPayAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await files.FindAsync(id, onlyForBranch: null, cancellationToken) is null)
        {
            return NotFound();
        }

        if (ModelState.IsValid)
        {
            var result = await payments.RecordAsync(id, new PaymentRequest(Input.PaidOn, Input.Amount, Input.BankReference), User, cancellationToken);
            if (result.Done)
            {
                Notice = result.Message;
                return RedirectToPage(new { id });
            }

            foreach (var (field, message) in result.Errors)
            {
                ModelState.AddModelError(field, message);
            }
        }

        await LoadAsync(id, cancellationToken);
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var facts = await files.FindAsync(id, onlyForBranch: null, cancellationToken);
        if (facts is null)
        {
            return false;
        }

        Facts = facts;
        var preview = new List<StatementLine>(PreviewLines);
        await foreach (var line in files.Lines(facts, cancellationToken))
        {
            preview.Add(line);
            if (preview.Count == PreviewLines)
            {
                break;
            }
        }

        Preview = preview;
        Payments = await db.RemittancePayments.AsNoTracking().Where(p => p.StatementId == id).OrderBy(p => p.RecordedAt).ToListAsync(cancellationToken);
        OwedPence = await payments.OwedAsync(facts.Statement.BranchId, cancellationToken);
        (ApprovedPence, PaidPence) = await payments.StatementPaymentsAsync(id, cancellationToken);
        AdminCount = await payments.AdminCountAsync(cancellationToken);
        BlockedByTwoPersonRule = facts.Statement.ApprovedAt is not null
            && !RemittancePayments.TwoPersonRuleAllows(facts.Statement.ApprovedByUserId, BranchOfficers.UserId(User), AdminCount, AllowSingleAdmin);
        return true;
    }
}

internal sealed class PaymentInput
{
    [Required(ErrorMessage = "Enter the date the transfer was made.")]
    [DataType(DataType.Date)]
    [Display(Name = "Date of the transfer")]
    public DateOnly? PaidOn { get; set; }

    /// <summary>Pounds as typed; read, and refused when blank, by <see cref="RemittancePayments.RecordAsync"/>.</summary>
    [Display(Name = "Amount (£)")]
    public string? Amount { get; set; }

    [Required(ErrorMessage = "Enter the bank's reference for the transfer.")]
    [StringLength(RemittancePayments.MaxReferenceLength, ErrorMessage = TypedText.TooLong)]
    [Display(Name = "Bank reference")]
    public string? BankReference { get; set; }
}
