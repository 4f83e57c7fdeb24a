namespace Solidarity.Web.Pages.Donations.Monthly;

/// <summary>
/// Within 30 days of its dispute ending, the giver may move a paused monthly gift to another active dispute: a page to
/// choose and confirm, and a POST that moves it. A GET changes nothing.
/// </summary>
internal sealed class MoveModel(MonthlyGiftLinks links, MonthlyGiftMove move, TimeProvider time) : PageModel
{
    public MonthlyGiftView Gift { get; private set; } = default!;

    public IReadOnlyList<MoveTarget> Targets { get; private set; } = [];

    public string Token { get; private set; } = "";

    [BindProperty]
    [Required(ErrorMessage = "Choose the dispute to give to.")]
    public Guid? DisputeId { get; set; }

    [TempData]
    public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        if (await LoadAsync(token, cancellationToken) is { } refusal)
        {
            return refusal;
        }

        Response.Headers.CacheControl = "private, no-store";
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken cancellationToken)
    {
        if (await LoadAsync(token, cancellationToken) is { } refusal)
        {
            return refusal;
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        switch (await move.MoveAsync(Gift, DisputeId!.Value, MonthlyGiftCancellation.GiverActor, cancellationToken))
        {
            case MonthlyGiftMove.Outcome.Moved:
                // The choices were read at the start of this request: one that became a choice in the moment since is not among them.
                var target = Targets.SingleOrDefault(t => t.Id == DisputeId);
                Notice = target is null ? "Your monthly gift has moved. Thank you." : $"Your monthly gift now goes to the {target.Title}. Thank you.";
                return Redirect(MonthlyGiftLinks.PathFor(token));
            case MonthlyGiftMove.Outcome.NoSuchDispute:
                ModelState.AddModelError(nameof(DisputeId), "Choose one of the disputes listed.");
                return Page();
            case MonthlyGiftMove.Outcome.StripeUnavailable:
                ModelState.AddModelError("", "The payment provider could not be reached, so your gift has not moved. Please try again in a few minutes.");
                Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return Page();
            default:
                Notice = "Your monthly gift could not be moved: it changed while you were choosing (collection started again, it was "
                    + "cancelled, or it was moved already). It is shown as it is now.";
                return Redirect(MonthlyGiftLinks.PathFor(token));
        }
    }

    private async Task<IActionResult?> LoadAsync(string token, CancellationToken cancellationToken)
    {
        if (await links.FindAsync(token, cancellationToken) is not { } gift)
        {
            return NotFound();
        }

        if (!MonthlyGiftMove.CanMove(gift, time.GetUtcNow()))
        {
            return Redirect(MonthlyGiftLinks.PathFor(token));
        }

        (Gift, Token) = (gift, token);
        Targets = await move.TargetsAsync(gift.DisputeId, cancellationToken);
        return null;
    }
}
