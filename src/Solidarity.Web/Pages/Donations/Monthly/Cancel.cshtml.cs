namespace Solidarity.Web.Pages.Donations.Monthly;

/// <summary>
/// Asks the giver to confirm, then cancels the gift on the POST: a GET never changes anything, so a link scanner or a
/// prefetching mail client opening the link cannot cancel a gift.
/// </summary>
internal sealed class CancelModel(MonthlyGiftLinks links, MonthlyGiftCancellation cancellation) : PageModel
{
    public const string CancelledNotice = "Your monthly gift is cancelled: nothing more will be taken. Thank you for your support.";

    public const string UnavailableMessage =
        "The payment provider could not be reached, so your monthly gift is not cancelled yet. Please try again in a few minutes.";

    public MonthlyGiftView Gift { get; private set; } = default!;

    public string Token { get; private set; } = "";

    [TempData]
    public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        if (await links.FindAsync(token, cancellationToken) is not { } gift)
        {
            return NotFound();
        }

        if (gift.Status == MonthlyGiftStatus.Cancelled)
        {
            return Redirect(MonthlyGiftLinks.PathFor(token));
        }

        Response.Headers.CacheControl = "private, no-store";
        (Gift, Token) = (gift, token);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken cancellationToken)
    {
        if (await links.FindAsync(token, cancellationToken) is not { } gift)
        {
            return NotFound();
        }

        if (!await cancellation.CancelAsync(gift.Id, MonthlyGiftCancellation.GiverActor, AuditActions.MonthlyCancelled, cancellationToken))
        {
            (Gift, Token) = (gift, token);
            ModelState.AddModelError("", UnavailableMessage);
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Page();
        }

        Notice = CancelledNotice;
        return Redirect(MonthlyGiftLinks.PathFor(token));
    }
}
