using Solidarity.Web.Pages.Disputes;

namespace Solidarity.Web.Pages.Messages;

internal sealed class WriteModel(SolidarityDbContext db, MessageRateLimiter limiter, TimeProvider time, ILogger<WriteModel> logger) : PageModel
{
    [BindProperty]
    public MessageInput Input { get; set; } = new();

    public DisputePage Dispute { get; private set; } = default!;

    [TempData]
    public bool Sent { get; set; }

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken cancellationToken)
    {
        var dispute = await DisputePage.LoadAsync(db, slug, cancellationToken);
        if (dispute is null)
        {
            return NotFound();
        }

        Dispute = dispute;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string slug, CancellationToken cancellationToken)
    {
        var dispute = await DisputePage.LoadAsync(db, slug, cancellationToken);
        if (dispute is null)
        {
            return NotFound();
        }

        Dispute = dispute;
        if (!string.IsNullOrEmpty(Input.Website))
        {
            // A robot filled the hidden field: it is told what a person would be told, and nothing is kept.
            logger.LogInformation("Message to {Slug} dropped: the honeypot field was filled", slug);
            Sent = true;
            return RedirectToPage(new { slug });
        }

        var body = MessageRules.CheckBody(Input.Body, ModelState, "Input.Body");
        TypedText.CheckLine(Input.AuthorName, ModelState, "Input.AuthorName");
        TypedText.CheckLine(Input.OrganisationName, ModelState, "Input.OrganisationName");
        TypedText.CheckLine(Input.Town, ModelState, "Input.Town");
        if (body is null || !ModelState.IsValid)
        {
            return Page();
        }

        // Counted only once the message would be kept: a supporter putting a refused message right is not held back for
        // it, nor is everyone else on the same address (a picket's or a meeting's Wi-Fi).
        if (await limiter.TryAcquireAsync(HttpContext.Connection.RemoteIpAddress, cancellationToken) is { } wait)
        {
            var minutes = Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes));
            ModelState.AddModelError("", $"{MessageRules.TooFast} Please send this one again in {minutes} minute{(minutes == 1 ? "" : "s")}: your text is kept below.");
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page();
        }

        db.SupportMessages.Add(new SupportMessage
        {
            DisputeId = dispute.Id,
            AuthorName = TypedText.TrimToNull(Input.AuthorName),
            OrganisationName = TypedText.TrimToNull(Input.OrganisationName),
            Town = TypedText.TrimToNull(Input.Town),
            Body = body,
            Status = ModerationStatus.Pending,
            CreatedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
        Sent = true;
        return RedirectToPage(new { slug });
    }
}
