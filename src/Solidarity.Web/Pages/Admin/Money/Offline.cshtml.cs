using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Audit;
using Solidarity.Core.Data;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Core.Money;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Donations.Ledger;
using Solidarity.Web.Pages.Messages;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Web.Pages.Admin.Money;

/// <summary>
/// Offline money (cheques, bank transfers, collections) recorded by an admin: a paid donation and its
/// ledger entry, and the correction of a mistake by a reversing entry, never by editing.
/// </summary>
internal sealed class OfflineModel(SolidarityDbContext db, ReceiptScheduler receipts, TimeProvider time) : PageModel
{
    public const long MaxPence = 100_000_000;

    public static readonly DonationMethod[] Methods = [DonationMethod.Cheque, DonationMethod.BankTransfer, DonationMethod.Collection];

    [BindProperty]
    public OfflineInput Input { get; set; } = new();

    [TempData]
    public string? Status { get; set; }

    public IReadOnlyList<Choice> Disputes { get; private set; } = [];
    public IReadOnlyList<Choice> Branches { get; private set; } = [];
    public IReadOnlyList<OfflineRow> Recent { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Input.ReceivedOn = Today();
        Input.EntryId = Guid.CreateVersion7();
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        // The form carries the id its entry will have, so a double click or a resubmitted form records it once.
        if (Input.EntryId is { } entryId && await db.Donations.AnyAsync(d => d.Id == entryId, cancellationToken))
        {
            Status = "That entry was already recorded: nothing was added.";
            return RedirectToPage();
        }

        var pence = 0L;
        if (!string.IsNullOrWhiteSpace(Input.Amount))
        {
            if (!Core.Money.Money.TryParsePounds(Input.Amount, out var amount))
            {
                ModelState.AddModelError("Input.Amount", "Enter the amount in pounds and pence, for example 25 or 25.50.");
            }
            else if (amount.MinorUnits <= 0)
            {
                ModelState.AddModelError("Input.Amount", "The amount must be more than £0.");
            }
            else if (amount.MinorUnits > MaxPence)
            {
                ModelState.AddModelError("Input.Amount", "The amount cannot be more than £1,000,000.");
            }
            else
            {
                pence = amount.MinorUnits;
            }
        }

        if (Input.Method is { } method && !Methods.Contains(method))
        {
            ModelState.AddModelError("Input.Method", "Choose cheque, bank transfer or collection.");
        }

        if (Input.ReceivedOn > Today())
        {
            ModelState.AddModelError("Input.ReceivedOn", "The date received cannot be in the future.");
        }

        if (string.IsNullOrWhiteSpace(Input.PayerName) && string.IsNullOrWhiteSpace(Input.OrganisationName))
        {
            ModelState.AddModelError("Input.PayerName", "Enter the payer's name or the organisation that gave.");
        }

        // Single lines of printable text: PostgreSQL refuses some control characters and nobody types them.
        MessageRules.CheckLine(Input.PayerName, ModelState, "Input.PayerName");
        MessageRules.CheckLine(Input.OrganisationName, ModelState, "Input.OrganisationName");
        MessageRules.CheckLine(Input.Email, ModelState, "Input.Email");
        MessageRules.CheckLine(Input.Reference, ModelState, "Input.Reference");

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

        var now = time.GetUtcNow();
        var receivedAt = LondonClock.FromLondon(Input.ReceivedOn!.Value.ToDateTime(TimeOnly.MinValue));
        var donation = new Donation
        {
            Id = Input.EntryId ?? Guid.CreateVersion7(),
            DisputeId = Input.DisputeId!.Value,
            ChosenBranchId = Input.BranchId!.Value,
            Method = Input.Method!.Value,
            Status = DonationStatus.Paid,
            AmountPence = pence,
            DonorName = Trimmed(Input.PayerName),
            OrganisationName = Trimmed(Input.OrganisationName),
            Email = Trimmed(Input.Email),
            Reference = Trimmed(Input.Reference),
            CreatedAt = now,
            PaidAt = receivedAt,
            RecordedByUserId = UserId(),
        };
        donation.Allocations.Add(new DonationAllocation { BranchId = donation.ChosenBranchId.Value, AmountPence = pence });
        db.Donations.Add(donation);
        db.LedgerEntries.Add(new LedgerEntry
        {
            DisputeId = donation.DisputeId,
            BranchId = donation.ChosenBranchId.Value,
            Kind = LedgerEntryKind.OfflineDonation,
            AmountPence = pence,
            Key = LedgerKeys.Offline(donation.Id, donation.ChosenBranchId.Value),
            DonationId = donation.Id,
            OccurredAt = receivedAt,
            RecordedAt = now,
            Note = $"{MethodLabel(donation.Method)} {donation.Reference}".Trim(),
        });
        db.AuditEntries.Add(Audit("offline-donation.recorded", donation.Id, new
        {
            donation.DisputeId, BranchId = donation.ChosenBranchId, Method = donation.Method.ToString(), donation.AmountPence,
            ReceivedOn = Input.ReceivedOn, donation.Reference,
        }, now));

        // One SaveChanges: the donation, its ledger entry and the audit row commit together or not at all.
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // The same form posted twice at once: the other request recorded it.
            Status = "That entry was already recorded: nothing was added.";
            return RedirectToPage();
        }

        receipts.DonationConfirmed(donation.Id);
        Status = $"Recorded {Core.Money.Money.Pence(pence).Format()} received by {MethodLabel(donation.Method).ToLowerInvariant()}.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostReverseAsync(Guid donationId, string? reason, CancellationToken cancellationToken)
    {
        reason = Trimmed(reason);
        if (reason is null || reason.Length > 400)
        {
            ModelState.AddModelError("reason", "Give the reason for reversing this entry (up to 400 characters).");
            await LoadAsync(cancellationToken);
            return Page();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"""SELECT 1 FROM "Donations" WHERE "Id" = {donationId} FOR UPDATE""", cancellationToken);
        var donation = await db.Donations.SingleOrDefaultAsync(d => d.Id == donationId && Methods.Contains(d.Method), cancellationToken);
        if (donation is null)
        {
            return NotFound();
        }

        if (donation.Status == DonationStatus.Reversed)
        {
            Status = "That entry was already reversed; nothing changed.";
            return RedirectToPage();
        }

        var now = time.GetUtcNow();
        var received = await db.LedgerEntries.AsNoTracking()
            .Where(e => e.DonationId == donationId && e.Kind == LedgerEntryKind.OfflineDonation)
            .Select(e => new { e.DisputeId, e.BranchId, e.AmountPence })
            .ToListAsync(cancellationToken);
        await LedgerWriter.PostAsync(
            db,
            received.Select(e => new LedgerLine(
                e.DisputeId, e.BranchId, LedgerEntryKind.OfflineDonationReversed, -e.AmountPence,
                LedgerKeys.OfflineReversed(donationId, e.BranchId), donationId, null, now, reason)),
            cancellationToken);
        donation.Status = DonationStatus.Reversed;
        db.AuditEntries.Add(Audit("offline-donation.reversed", donationId, new { Reason = reason, donation.AmountPence }, now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Status = $"Reversed {Core.Money.Money.Pence(donation.AmountPence).Format()}.";
        return RedirectToPage();
    }

    public static string MethodLabel(DonationMethod method) => method switch
    {
        DonationMethod.Cheque => "Cheque",
        DonationMethod.BankTransfer => "Bank transfer",
        DonationMethod.Collection => "Collection",
        _ => method.ToString(),
    };

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
            .Where(d => Methods.Contains(d.Method))
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
                d.Status == DonationStatus.Reversed))
            .ToListAsync(cancellationToken);
    }

    private DateOnly Today() => DateOnly.FromDateTime(LondonClock.ToLondon(time.GetUtcNow()).DateTime);

    private Guid? UserId() => Guid.TryParse(User.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    private AuditEntry Audit(string action, Guid donationId, object details, DateTimeOffset at) => new()
    {
        At = at,
        UserId = UserId(),
        UserName = User.Identity?.Name ?? "unknown",
        Action = action,
        SubjectType = nameof(Donation),
        SubjectId = donationId.ToString(),
        Details = JsonSerializer.Serialize(details),
    };

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

public sealed class OfflineInput
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

    [Required(ErrorMessage = "Enter the amount in pounds.")]
    [Display(Name = "Amount (£)")]
    public string? Amount { get; set; }

    [StringLength(200)]
    [Display(Name = "Payer's name")]
    public string? PayerName { get; set; }

    [StringLength(200)]
    [Display(Name = "Organisation (shown publicly under its name)")]
    public string? OrganisationName { get; set; }

    [EmailAddress(ErrorMessage = "Enter a valid email address, or leave it blank.")]
    [StringLength(320)]
    [Display(Name = "Email for a receipt (optional)")]
    public string? Email { get; set; }

    [StringLength(200)]
    [Display(Name = "Reference (cheque number, bank reference, where collected)")]
    public string? Reference { get; set; }
}

public sealed record Choice(Guid Id, string Label);

public sealed record OfflineRow(
    Guid Id, DateTimeOffset ReceivedAt, string Dispute, string Branch, DonationMethod Method, long AmountPence, string Payer,
    string? Reference, bool Reversed);
