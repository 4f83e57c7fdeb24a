using Solidarity.Web.Pages.Messages;
// Money alone, here, names this page's own namespace; the amount type goes by another name.
using Amount = Solidarity.Core.Amounts.Money;

namespace Solidarity.Web.Pages.Admin.Money;

/// <summary>
/// The admin's page for offline money (cheques, bank transfers, collections): it binds and checks the form, and
/// <see cref="OfflineMoney"/> records or reverses the entry.
/// </summary>
internal sealed class OfflineModel(SolidarityDbContext db, OfflineMoney offline, TimeProvider time) : PageModel
{
    public const long MaxPence = 100_000_000;

    [BindProperty]
    public OfflineInput Input { get; set; } = new();

    [TempData]
    public string? Status { get; set; }

    public IReadOnlyList<Choice> Disputes { get; private set; } = [];
    public IReadOnlyList<Choice> Branches { get; private set; } = [];
    public IReadOnlyList<OfflineRow> Recent { get; private set; } = [];

    /// <summary>A reversal held back because it would leave a branch owing money it was already paid.</summary>
    public PendingReversal? Overdraw { get; private set; }

    /// <summary>A reversal refused for its reason: the row it was for shows the reason as typed, and why.</summary>
    public RefusedReversal? Refused { get; private set; }

    /// <summary>No gift on the site is older (as <see cref="Receipts.YearStatements.FirstYear"/> says of statements).</summary>
    private static readonly DateOnly EarliestReceived = new(Receipts.YearStatements.FirstYear, 1, 1);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Input = NewEntry();
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        // The form carries the id its entry will have, so a double click or a resubmitted form records it once.
        if (Input.EntryId is { } entryId && await offline.IsRecordedAsync(entryId, cancellationToken))
        {
            Status = "That entry was already recorded: nothing was added.";
            return RedirectToPage();
        }

        var amount = TypedPounds.Read(Input.Amount, maximumPence: MaxPence);
        if (amount.Problem is { } problem)
        {
            ModelState.AddModelError("Input.Amount", problem);
        }

        if (Input.Method is { } method && !OfflineMoney.Methods.Contains(method))
        {
            ModelState.AddModelError("Input.Method", "Choose cheque, bank transfer or collection.");
        }

        if (Input.ReceivedOn > Today())
        {
            ModelState.AddModelError("Input.ReceivedOn", "The date received cannot be in the future.");
        }
        else if (Input.ReceivedOn < EarliestReceived)
        {
            // A year typed short ("25") is year 25: the dispute's chart would run day by day from then.
            ModelState.AddModelError("Input.ReceivedOn", $"The date received cannot be before {EarliestReceived.Year}: check the year.");
        }

        if (string.IsNullOrWhiteSpace(Input.PayerName) && string.IsNullOrWhiteSpace(Input.OrganisationName))
        {
            ModelState.AddModelError("Input.PayerName", "Enter the payer's name or the organisation that gave.");
        }

        // Single lines of printable text: PostgreSQL refuses some control characters and nobody types them.
        TypedText.CheckLine(Input.PayerName, ModelState, "Input.PayerName");
        TypedText.CheckLine(Input.OrganisationName, ModelState, "Input.OrganisationName");
        TypedText.CheckLine(Input.Email, ModelState, "Input.Email");
        TypedText.CheckLine(Input.Reference, ModelState, "Input.Reference");

        if (Input.DisputeId is { } disputeId && Input.BranchId is { } branchId
            && !await db.BeneficiaryBranches.AnyAsync(b => b.DisputeId == disputeId && b.BranchId == branchId, cancellationToken))
        {
            ModelState.AddModelError("Input.BranchId", "That branch is not a beneficiary of this dispute.");
        }

        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        var gift = new OfflineGift(
            Input.EntryId ?? Guid.CreateVersion7(), Input.DisputeId!.Value, Input.BranchId!.Value, Input.Method!.Value, amount.Pence,
            LondonClock.FromLondon(Input.ReceivedOn!.Value.ToDateTime(TimeOnly.MinValue)),
            TypedText.TrimToNull(Input.PayerName), TypedText.TrimToNull(Input.OrganisationName), TypedText.TrimToNull(Input.Email), TypedText.TrimToNull(Input.Reference));
        Status = await offline.RecordAsync(gift, User, cancellationToken)
            ? $"Recorded {Amount.Pence(amount.Pence).Format()} received by {OfflineMoney.MethodLabel(gift.Method).ToLowerInvariant()}."
            : "That entry was already recorded: nothing was added.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostReverseAsync(Guid donationId, string? reason, bool confirmOverdraw, CancellationToken cancellationToken)
    {
        // The page's other form, to record money, is bound and checked here too, empty (under its own prefix or, with
        // nothing sent under it, none): its rules are not this form's, which checks its reason below. When the page is
        // shown again that form starts afresh, with an id of its own for the next entry.
        ModelState.Clear();
        Input = NewEntry();
        var typed = reason;
        reason = TypedText.TrimToNull(reason);
        if (reason is null || reason.Length > Donation.ReversalReasonMaxLength)
        {
            ModelState.AddModelError("reason", $"Give the reason for reversing this entry (up to {Donation.ReversalReasonMaxLength} characters).");
        }
        else
        {
            TypedText.CheckLine(reason, ModelState, "reason");
        }

        if (reason is null || !ModelState.IsValid)
        {
            Refused = new RefusedReversal(donationId, typed, ModelState["reason"]!.Errors[0].ErrorMessage);
            await LoadAsync(cancellationToken);
            return Page();
        }

        switch (await offline.ReverseAsync(donationId, reason, confirmOverdraw, User, cancellationToken))
        {
            case null:
                return NotFound();
            case OfflineReversal.AlreadyReversed:
                Status = "That entry was already reversed; nothing changed.";
                return RedirectToPage();
            case OfflineReversal.WouldOverdraw overdraw:
                Overdraw = new PendingReversal(donationId, reason, overdraw.BranchCode, overdraw.BalanceAfterPence);
                await LoadAsync(cancellationToken);
                return Page();
            case OfflineReversal.Reversed reversed:
                Status = $"Reversed {Amount.Pence(reversed.Pence).Format()}.";
                return RedirectToPage();
            default:
                throw new InvalidOperationException("An offline reversal ended in an unknown way.");
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Disputes = await db.Disputes.AsNoTracking()
            .OrderBy(d => d.Title)
            .Select(d => new Choice(d.Id, d.Title))
            .ToListAsync(cancellationToken);
        Branches = await db.BeneficiaryBranches.AsNoTracking()
            .Select(b => b.Branch)
            .Distinct()
            .OrderBy(b => b.Code)
            .Select(b => new Choice(b.Id, b.Code + " " + b.Name))
            .ToListAsync(cancellationToken);
        Recent = await db.Donations.AsNoTracking()
            .Where(d => OfflineMoney.Methods.Contains(d.Method))
            .OrderByDescending(d => d.CreatedAt)
            .Take(50)
            .Select(d => new OfflineRow(
                d.Id,
                d.PaidAt ?? d.CreatedAt,
                db.Disputes.Where(x => x.Id == d.DisputeId).Select(x => x.Title).First(),
                db.Branches.Where(b => b.Id == d.ChosenBranchId).Select(b => b.Code).FirstOrDefault() ?? "",
                d.Method,
                d.AmountPence,
                d.OrganisationName ?? d.DonorName ?? "",
                d.Reference,
                d.Status == DonationStatus.Reversed,
                d.ReversalReason))
            .ToListAsync(cancellationToken);
    }

    private DateOnly Today() => DateOnly.FromDateTime(LondonClock.ToLondon(time.GetUtcNow()).DateTime);

    /// <summary>The record form as it starts: received today, with the id its entry will have.</summary>
    private OfflineInput NewEntry() => new() { ReceivedOn = Today(), EntryId = Guid.CreateVersion7() };

}

/// <summary>A reversal waiting for the admin to confirm that the branch will owe <see cref="BalanceAfterPence"/>.</summary>
internal sealed record RefusedReversal(Guid DonationId, string? Reason, string Message);

internal sealed record PendingReversal(Guid DonationId, string Reason, string BranchCode, long BalanceAfterPence);

internal sealed class OfflineInput
{
    /// <summary>Chosen when the form is shown; the recorded donation takes it as its id.</summary>
    public Guid? EntryId { get; set; }

    [Required(ErrorMessage = "Choose how the money came: cheque, bank transfer or collection.")]
    [Display(Name = "How it came")]
    public DonationMethod? Method { get; set; }

    [Required(ErrorMessage = "Choose the dispute.")]
    [Display(Name = "Dispute")]
    public Guid? DisputeId { get; set; }

    [Required(ErrorMessage = "Choose the branch the money is for.")]
    [Display(Name = "Branch")]
    public Guid? BranchId { get; set; }

    [Required(ErrorMessage = "Enter the date the money was received.")]
    [DataType(DataType.Date)]
    [Display(Name = "Date received")]
    public DateOnly? ReceivedOn { get; set; }

    /// <summary>Pounds as typed; read, and refused when blank, by <see cref="TypedPounds"/>.</summary>
    [Display(Name = "Amount (£)")]
    public string? Amount { get; set; }

    [StringLength(200, ErrorMessage = TypedText.TooLong)]
    [Display(Name = "Payer's name")]
    public string? PayerName { get; set; }

    [StringLength(200, ErrorMessage = TypedText.TooLong)]
    [Display(Name = "Organisation (shown publicly under its name)")]
    public string? OrganisationName { get; set; }

    [DeliverableEmail(ErrorMessage = "Enter a valid email address, or leave it blank.")]
    [StringLength(320, ErrorMessage = TypedText.TooLong)]
    [Display(Name = "Email for a receipt (optional)")]
    public string? Email { get; set; }

    [StringLength(200, ErrorMessage = TypedText.TooLong)]
    [Display(Name = "Reference (cheque number, bank reference, where collected)")]
    public string? Reference { get; set; }
}

internal sealed record Choice(Guid Id, string Label);

internal sealed record OfflineRow(
    Guid Id, DateTimeOffset ReceivedAt, string Dispute, string Branch, DonationMethod Method, long AmountPence, string Payer,
    string? Reference, bool Reversed, string? ReversalReason);
