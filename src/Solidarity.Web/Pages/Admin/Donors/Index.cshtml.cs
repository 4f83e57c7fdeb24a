using System.Text.Json;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Solidarity.Web.Pages.Admin.Donors;

/// <summary>
/// A donor's records, found by their full email address, exported or erased at their request. The address
/// travels only in POST bodies, never in a URL, so it stays out of access logs, browser history and Referer
/// headers; and no response of this page is stored by a browser or a proxy.
/// </summary>
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
internal sealed class IndexModel(DonorRecords records, DonorErasure erasure, AuditTrail audit, DonorAuditKey auditKey, SolidarityDbContext db)
    : PageModel
{
    [BindProperty]
    public DonorInput Input { get; set; } = new();

    [TempData]
    public string? Notice { get; set; }

    /// <summary>The records of the address searched for; null until a full address was given.</summary>
    public DonorSummary? Found { get; private set; }

    /// <summary>When the address searched for was erased before, if it was and nothing is held now.</summary>
    public DateTimeOffset? ErasedBefore { get; private set; }

    internal sealed class DonorInput : ErasureInput
    {
        [Required(ErrorMessage = "Enter the donor's email address.")]
        [StringLength(DonorEmail.MaxLength, ErrorMessage = "An email address is at most 320 characters.")]
        [Display(Name = "Donor's email address")]
        public string? Email { get; set; }
    }

    public async Task<IActionResult> OnPostFindAsync(CancellationToken cancellationToken)
    {
        if (CheckAddress())
        {
            await LoadAsync(cancellationToken);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostExportAsync(CancellationToken cancellationToken)
    {
        if (!CheckAddress())
        {
            return Page();
        }

        var export = await records.ExportAsync(Input.Email!, cancellationToken);
        if (export.Donations.Count == 0 && export.MonthlyGifts.Count == 0)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        var hash = auditKey.For(Input.Email!);
        audit.Record(User, AuditActions.DonorExported, DonorAuditSubjects.Donor, hash, new
        {
            EmailHmac = hash,
            Donations = export.Donations.Count,
            MonthlyGifts = export.MonthlyGifts.Count,
            Messages = export.Messages.Count,
            Receipts = export.Receipts.Count,
            EmailDeliveries = export.EmailDeliveries.Count,
        });
        await db.SaveChangesAsync(cancellationToken);

        var date = LondonClock.ToLondon(export.ExportedAt).ToString("yyyy-MM-dd", LondonClock.Uk);
        return File(JsonSerializer.SerializeToUtf8Bytes(export, DonorExport.Json), "application/json", $"donor-data-{date}.json");
    }

    public async Task<IActionResult> OnPostEraseAsync(CancellationToken cancellationToken)
    {
        var addressGiven = CheckAddress();
        var personal = addressGiven ? [Input.Email, .. await NamesGivenWithAsync(DonorEmail.Normalise(Input.Email!), cancellationToken)] : new List<string?>();
        var reason = ErasureReason.Check(Input.Reason, personal, "the donor's email address or name", ModelState);
        if (!Input.Confirm)
        {
            ModelState.AddModelError("Input.Confirm", ErasureReason.ConfirmMessage);
        }

        if (!ModelState.IsValid)
        {
            if (addressGiven)
            {
                await LoadAsync(cancellationToken);
            }

            return Page();
        }

        var outcome = await erasure.EraseAsync(User, Input.Email!, reason!, Input.KeepOrganisationName, cancellationToken);
        Notice = outcome switch
        {
            ErasureOutcome.Erased erased =>
                $"Erased the donor's personal data from {ErasureReason.Count(erased.Donations, "donation")}, {ErasureReason.Count(erased.Messages, "message")} " +
                $"and {ErasureReason.Count(erased.Receipts, "receipt or credit note", "receipts and credit notes")}, reissued under the same numbers. " +
                "The amounts and the ledger are unchanged.",
            ErasureOutcome.NothingHeld { ErasedAt: { } at } =>
                $"Nothing to erase: this address was already erased on {LondonClock.DateTime(at)}. Nothing changed.",
            _ => "Nothing to erase: no donation was given with this address. Nothing changed.",
        };
        return RedirectToPage();
    }

    /// <summary>The names (given, and chosen to show) on every gift made with the address, which the reason must not hold either.</summary>
    private async Task<List<string?>> NamesGivenWithAsync(string normalisedEmail, CancellationToken cancellationToken) =>
        await db.Database.SqlQuery<string?>($"""
            SELECT "DonorName" AS "Value" FROM "Donations" WHERE lower("Email") = {normalisedEmail}
            UNION SELECT "PublicName" FROM "Donations" WHERE lower("Email") = {normalisedEmail}
            UNION SELECT "DonorName" FROM "MonthlyGifts" WHERE lower("Email") = {normalisedEmail}
            UNION SELECT "PublicName" FROM "MonthlyGifts" WHERE lower("Email") = {normalisedEmail}
            """).ToListAsync(cancellationToken);

    private bool CheckAddress()
    {
        if (ModelState.GetFieldValidationState("Input.Email") == ModelValidationState.Valid
            && !DonorEmail.IsFullAddress(Input.Email))
        {
            ModelState.AddModelError("Input.Email", "Enter the donor's full email address, for example jo@example.org: a part of one finds nobody.");
        }

        return ModelState.GetFieldValidationState("Input.Email") == ModelValidationState.Valid;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Found = await records.SummaryAsync(Input.Email!, cancellationToken);
        if (Found.IsEmpty)
        {
            ErasedBefore = await erasure.ErasedAtAsync(Input.Email!, cancellationToken);
        }
    }

    /// <summary>For the page: the name a donation shows publicly, as statements and the site show it.</summary>
    public static string ShownAs(DonorDonation donation) =>
        Pages.Remittances.StatementLine.PublicFrom(donation.OrganisationName, donation.PublicName);
}

/// <summary>What both ways of erasing a donor ask alike, beside how the donor is found.</summary>
internal abstract class ErasureInput
{
    [Display(Name = "Keep the organisation's name (an organisation, not a person)")]
    public bool KeepOrganisationName { get; set; }

    [Display(Name = "Reason")]
    public string? Reason { get; set; }

    [Display(Name = "I have checked that this request comes from the donor, and understand that erasure cannot be undone")]
    public bool Confirm { get; set; }
}

/// <summary>The reason an erasure is asked with, and its confirmation: what both ways of erasing a donor check alike.</summary>
internal static class ErasureReason
{
    public const int MaxLength = 400;

    public const string ConfirmMessage = "Tick the box to confirm the request comes from the donor and that erasure cannot be undone.";

    /// <summary>
    /// The reason, trimmed, when it is given, short enough for the audit log, and free of each of <paramref name="personal"/>
    /// as a whole word (which the log must not hold: "Jo" is refused, "journalist" is not); otherwise null, with a message
    /// at the field.
    /// </summary>
    public static string? Check(string? typed, IEnumerable<string?> personal, string personalIs, ModelStateDictionary modelState)
    {
        var reason = TypedText.TrimToNull(typed);
        var error = reason switch
        {
            null => "Give the reason for erasing, for example \"request by email of 3 June\".",
            { Length: > MaxLength } => $"Keep the reason to {MaxLength} characters or fewer.",
            _ when personal.Select(TypedText.TrimToNull).OfType<string>().Any(p => Names(reason, p)) =>
                $"Leave {personalIs} out of the reason: the audit log keeps the reason and must not hold {personalIs}.",
            _ => null,
        };
        if (error is not null)
        {
            modelState.AddModelError("Input.Reason", error);
        }

        return error is null ? reason : null;
    }

    public static string Count(int n, string one, string? many = null) => n == 1 ? $"1 {one}" : $"{n} {many ?? one + "s"}";

    private static bool Names(string reason, string personal) => System.Text.RegularExpressions.Regex.IsMatch(
        reason, $@"(?<![\p{{L}}\p{{N}}]){System.Text.RegularExpressions.Regex.Escape(personal)}(?![\p{{L}}\p{{N}}])",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant,
        TimeSpan.FromSeconds(1));
}
