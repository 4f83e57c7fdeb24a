namespace Solidarity.Web.Pages.Donations.Monthly;

/// <summary>
/// Where Stripe sends a new monthly giver back. As for a one-off gift, the return proves nothing: the page reports what
/// the verified webhooks recorded (and refreshes until they have), and shows nobody's name or address; the amount, which
/// the giver may have chosen to keep to themselves, only to the browser that made the gift.
/// </summary>
internal sealed class ThankYouModel(SolidarityDbContext db, DonorBrowser donorBrowser) : PageModel
{
    public const int RefreshSeconds = 3;

    public MonthlyThanks Gift { get; private set; } = default!;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        var gift = await db.MonthlyGifts.AsNoTracking()
            .Where(g => g.Id == id)
            .Join(db.Disputes, g => g.DisputeId, d => d.Id, (g, d) => new MonthlyThanks(g.Status, g.AmountPence + g.FeeCoverPence, g.Currency, d.Slug, d.Title))
            .SingleOrDefaultAsync(cancellationToken);
        if (gift is null)
        {
            return NotFound();
        }

        // What it shows depends on the giver's cookie: no shared cache may keep one giver's copy for another.
        Response.Headers.CacheControl = "private, no-store";
        Gift = donorBrowser.MadeDonation(HttpContext, id) ? gift : gift with { ChargedPence = null };
        return Page();
    }
}

internal sealed record MonthlyThanks(MonthlyGiftStatus Status, long? ChargedPence, string Currency, string DisputeSlug, string DisputeTitle);
