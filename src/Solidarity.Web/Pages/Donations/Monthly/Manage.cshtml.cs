namespace Solidarity.Web.Pages.Donations.Monthly;

/// <summary>
/// The monthly giver's own page, opened from the link in each receipt email: the dispute, the amount, the next payment
/// and the status, and a way to cancel. It needs no account; the link is the key, so the page is never cached.
/// </summary>
internal sealed class ManageModel(MonthlyGiftLinks links, TimeProvider time) : PageModel
{
    public MonthlyGiftView Gift { get; private set; } = default!;

    public string Token { get; private set; } = "";

    public DateTimeOffset Now { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        if (await links.FindAsync(token, cancellationToken) is not { } gift)
        {
            return NotFound();
        }

        Response.Headers.CacheControl = "private, no-store";
        Response.Headers["X-Robots-Tag"] = "noindex";
        (Gift, Token, Now) = (gift, token, time.GetUtcNow());
        return Page();
    }
}
