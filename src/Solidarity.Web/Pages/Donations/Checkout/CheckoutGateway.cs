namespace Solidarity.Web.Pages.Donations.Checkout;

/// <summary>Starts the hosted payment page for a pending donation: Stripe Checkout, or the site's own test checkout.</summary>
internal interface ICheckoutGateway
{
    /// <exception cref="CheckoutUnavailableException">The payment provider could not be reached or refused the request.</exception>
    Task<StartedCheckout> StartAsync(CheckoutRequest request, CancellationToken cancellationToken);
}

/// <summary>Everything the payment page needs to know about one pending donation.</summary>
internal sealed record CheckoutRequest(
    Guid DonationId,
    string DisputeSlug,
    string DisputeTitle,
    long ChargedPence,
    string Email,
    Uri SiteBase,
    string SuccessUrl,
    string CancelUrl)
{
    /// <summary>What the supporter sees on the payment page and their bank statement summary.</summary>
    public string ProductName => $"Strike fund donation: {DisputeTitle}";
}

/// <summary>The session created for a donation and where to send the supporter to pay.</summary>
internal sealed record StartedCheckout(string SessionId, string Url);

internal sealed class CheckoutUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
