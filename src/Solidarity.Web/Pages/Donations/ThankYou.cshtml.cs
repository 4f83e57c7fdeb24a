namespace Solidarity.Web.Pages.Donations;

/// <summary>
/// Where Stripe sends the supporter back. The return proves nothing (anyone can open the URL), so the page
/// only reports what the verified webhooks have recorded, and refreshes itself until they have.
/// </summary>
internal sealed class ThankYouModel(SolidarityDbContext db, DonorBrowser donorBrowser, TimeProvider time) : PageModel
{
    public const int RefreshSeconds = 3;

    /// <summary>How long after the payment the donor's page keeps refreshing while its receipt is prepared.</summary>
    private static readonly TimeSpan ReceiptWait = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long after the gift was made the page keeps refreshing while Stripe's confirmation is awaited: it usually comes
    /// in seconds, and a page that reloads for ever would keep a screen reader starting again.
    /// </summary>
    public static readonly TimeSpan ConfirmationWait = TimeSpan.FromMinutes(10);

    public DonationOutcome Donation { get; private set; } = default!;

    /// <summary>The page refreshes itself: the payment is being confirmed, or the donor's receipt is on its way.</summary>
    public bool Refreshes { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        var donation = await db.Donations.AsNoTracking()
            .Where(d => d.Id == id && d.Method == DonationMethod.Card)
            .Join(db.Disputes, d => d.DisputeId, dispute => dispute.Id, (d, dispute) => new DonationOutcome(
                d.Id, d.Status, d.AmountPence + d.FeeCoverPence, d.Currency, d.Email, dispute.Slug, dispute.Title, d.PaidAt, d.CreatedAt))
            .SingleOrDefaultAsync(cancellationToken);
        if (donation is null)
        {
            return NotFound();
        }

        // What it shows depends on the donor's cookie: no shared cache may keep one donor's copy for another.
        Response.Headers.CacheControl = "private, no-store";

        // Anyone holding the link (a forwarded message, a shared screen, Stripe's return address in a history, or a gift's id
        // from the public pages' list of named supporters) learns only the status; only the browser that made the donation
        // is shown its amount, which the donor may have chosen to keep to themselves, and whose address the receipt goes to.
        var madeHere = donorBrowser.MadeDonation(HttpContext, donation.Id);
        Donation = madeHere ? donation : donation with { Email = null, ChargedPence = null };
        Refreshes = (donation.Status == DonationStatus.Pending && donation.CreatedAt > time.GetUtcNow() - ConfirmationWait)
            || (donation.Status == DonationStatus.Paid
                && donation.PaidAt > time.GetUtcNow() - ReceiptWait
                && madeHere
                && !await db.Receipts.AnyAsync(r => r.DonationId == donation.Id && r.Kind == ReceiptKind.Receipt, cancellationToken));
        return Page();
    }
}

internal sealed record DonationOutcome(
    Guid Id, DonationStatus Status, long? ChargedPence, string Currency, string? Email, string DisputeSlug, string DisputeTitle,
    DateTimeOffset? PaidAt, DateTimeOffset CreatedAt)
{
    public bool IsBeingConfirmed => Status is DonationStatus.Pending or DonationStatus.AwaitingPayment;

    /// <summary>"j***@example.org": enough for the supporter to recognise, nothing for anyone else.</summary>
    public string? MaskedEmail
    {
        get
        {
            var at = Email?.LastIndexOf('@') ?? -1;
            return Email is null || at < 1 ? null : $"{Email[0]}***{Email[at..]}";
        }
    }
}
