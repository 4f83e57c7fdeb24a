using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Solidarity.Web.Pages.Admin.Donors;

/// <summary>
/// A donor who gave without an email address (a cheque, a bank transfer or a collection recorded with the payer's name
/// only) has no address to be found by: their gift is found by the number of its receipt or credit note, which the donor
/// holds, and its donor erased at their request. A gift given with an address is sent to the address's page, which
/// finds and erases every gift from it.
/// </summary>
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
internal sealed class GiftModel(DonorErasure erasure, DonorRecords records) : PageModel
{
    public const string NotFoundMessage = "No receipt or credit note has that number. Copy it as printed, for example SOL-2026-000042.";

    [BindProperty]
    public GiftInput Input { get; set; } = new();

    [TempData]
    public string? Notice { get; set; }

    /// <summary>The gift of the number searched for; null until one was found.</summary>
    public GiftRecord? Found { get; private set; }

    internal sealed class GiftInput : ErasureInput
    {
        [Required(ErrorMessage = "Enter the number of the gift's receipt or credit note.")]
        [StringLength(64, ErrorMessage = "A receipt number is at most 64 characters.")]
        [Display(Name = "Receipt or credit note number")]
        public string? Number { get; set; }
    }

    public async Task<IActionResult> OnPostFindAsync(CancellationToken cancellationToken)
    {
        await FindAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostEraseAsync(CancellationToken cancellationToken)
    {
        var gift = (await FindAsync(cancellationToken))?.Donation;
        var reason = ErasureReason.Check(Input.Reason, [gift?.DonorName, gift?.PublicName], "the donor's name", ModelState);
        if (!Input.Confirm)
        {
            ModelState.AddModelError("Input.Confirm", ErasureReason.ConfirmMessage);
        }

        if (gift is null || !ModelState.IsValid)
        {
            return Page();
        }

        var outcome = await erasure.EraseGiftAsync(User, gift.Id, reason!, Input.KeepOrganisationName, cancellationToken);
        Notice = outcome switch
        {
            ErasureOutcome.Erased erased =>
                $"Erased the donor's personal data from the gift, {ErasureReason.Count(erased.Messages, "message")} " +
                $"and {ErasureReason.Count(erased.Receipts, "receipt or credit note", "receipts and credit notes")}, reissued under the same numbers. " +
                "The amount and the ledger are unchanged.",
            ErasureOutcome.GivenWithEmail => GivenWithEmailMessage,
            ErasureOutcome.NothingHeld { ErasedAt: { } at } => $"Nothing to erase: this gift's donor was already erased on {LondonClock.DateTime(at)}. Nothing changed.",
            _ => NotFoundMessage,
        };
        return RedirectToPage();
    }

    public const string GivenWithEmailMessage =
        "This gift was given with an email address: find the donor on Donor data requests by that address, which erases every gift from it. Nothing changed.";

    /// <returns>The gift, also set as <see cref="Found"/>; null, with a message at the field, when the number finds none.</returns>
    private async Task<GiftRecord?> FindAsync(CancellationToken cancellationToken)
    {
        if (ModelState.GetFieldValidationState("Input.Number") != ModelValidationState.Valid)
        {
            return null;
        }

        Found = await records.GiftByReceiptAsync(Input.Number!, cancellationToken);
        if (Found is null)
        {
            ModelState.AddModelError("Input.Number", NotFoundMessage);
        }

        return Found;
    }
}
