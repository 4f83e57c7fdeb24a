using Microsoft.AspNetCore.Mvc.Filters;

namespace Solidarity.Web.Pages.Donations.Checkout;

/// <summary>
/// The site's stand-in for Stripe Checkout in Development and tests without Stripe keys. It moves no money:
/// each button sends the site the signed webhook Stripe would send and goes where Stripe would go.
/// </summary>
internal sealed class TestCheckoutModel(SolidarityDbContext db, TestCheckoutMode mode, TestCheckoutWebhooks webhooks) : PageModel
{
    public TestCheckoutView Session { get; private set; } = default!;

    /// <summary>What the last button did, when the page is shown again rather than left.</summary>
    public string? Outcome { get; private set; }

    public WebhookDelivery? UndeliveredWebhook { get; private set; }

    [NonHandler]
    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        // Outside Development and Testing, or with real Stripe keys, the page does not exist.
        if (!mode.IsAvailable)
        {
            context.Result = NotFound();
            return;
        }

        if (context.RouteData.Values["sessionId"] is string sessionId
            && await LoadAsync(sessionId, context.HttpContext.RequestAborted) is { } session)
        {
            Session = session;
            await next();
            return;
        }

        context.Result = NotFound();
    }

    public Task<IActionResult> OnPostPayAsync(CancellationToken cancellationToken) =>
        SendThenAsync(TestCheckoutEvent.Paid, SuccessUrl, cancellationToken);

    public Task<IActionResult> OnPostPayLaterAsync(CancellationToken cancellationToken) =>
        SendThenAsync(TestCheckoutEvent.AwaitingPayment, SuccessUrl, cancellationToken);

    public Task<IActionResult> OnPostSettleAsync(CancellationToken cancellationToken) =>
        SendThenAsync(TestCheckoutEvent.AsyncPaymentSucceeded, SuccessUrl, cancellationToken);

    public Task<IActionResult> OnPostFailAsync(CancellationToken cancellationToken) =>
        SendThenAsync(TestCheckoutEvent.AsyncPaymentFailed, SuccessUrl, cancellationToken);

    public Task<IActionResult> OnPostExpireAsync(CancellationToken cancellationToken) =>
        SendThenAsync(TestCheckoutEvent.Expired, SuccessUrl, cancellationToken);

    /// <summary>As on Stripe's page, a declined card leaves the supporter on the payment page, free to try again or cancel.</summary>
    public IActionResult OnPostDecline()
    {
        Outcome = "The card was declined (test). Nothing was charged; try again or cancel.";
        return Page();
    }

    public IActionResult OnPostCancel() => Redirect(Session.Monthly
        ? $"/disputes/{Uri.EscapeDataString(Session.DisputeSlug)}/donate"
        : $"/disputes/{Uri.EscapeDataString(Session.DisputeSlug)}/donate?cancelled={Session.DonationId}");

    private string SuccessUrl => Session.Monthly
        ? $"/monthly/{Session.DonationId}/thank-you"
        : $"/donations/{Session.DonationId}/thank-you?session_id={Uri.EscapeDataString(Session.SessionId)}";

    private async Task<IActionResult> SendThenAsync(TestCheckoutEvent kind, string then, CancellationToken cancellationToken)
    {
        var siteBase = new Uri($"{Request.Scheme}://{Request.Host}{Request.PathBase}/");
        var delivery = await webhooks.SendAsync(siteBase, kind, new TestSession(
            Session.SessionId, Session.DonationId, Session.DisputeSlug, Session.ChargedPence, Session.Currency, Session.Email, Session.CreatedAt,
            Session.Monthly),
            cancellationToken);
        if (delivery.Delivered)
        {
            return Redirect(then);
        }

        UndeliveredWebhook = delivery;
        Outcome = $"The site did not accept the {delivery.EventType} webhook ({(delivery.StatusCode is { } status ? $"HTTP {status}" : delivery.Error)}), " +
            "so the donation has not changed. Stripe would retry it later.";
        return Page();
    }

    private async Task<TestCheckoutView?> LoadAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!sessionId.StartsWith(TestCheckoutGateway.SessionPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        return await db.Donations.AsNoTracking()
                .Where(d => d.StripeCheckoutSessionId == sessionId && d.Method == DonationMethod.Card)
                .Join(db.Disputes, d => d.DisputeId, dispute => dispute.Id, (d, dispute) => new TestCheckoutView(
                    sessionId, d.Id, dispute.Slug, dispute.Title, d.AmountPence + d.FeeCoverPence, d.Currency, d.Email, d.CreatedAt,
                    d.Status.ToString(), false))
                .SingleOrDefaultAsync(cancellationToken)
            // A monthly gift's session: paying it sends the completed session and the first month's paid invoice.
            ?? await db.MonthlyGifts.AsNoTracking()
                .Where(g => g.StripeCheckoutSessionId == sessionId)
                .Join(db.Disputes, g => g.DisputeId, dispute => dispute.Id, (g, dispute) => new TestCheckoutView(
                    sessionId, g.Id, dispute.Slug, dispute.Title, g.AmountPence + g.FeeCoverPence, g.Currency, g.Email, g.CreatedAt,
                    g.Status.ToString(), true))
                .SingleOrDefaultAsync(cancellationToken);
    }
}

internal sealed record TestCheckoutView(
    string SessionId,
    Guid DonationId,
    string DisputeSlug,
    string DisputeTitle,
    long ChargedPence,
    string Currency,
    string? Email,
    DateTimeOffset CreatedAt,
    string Status,
    bool Monthly);
