namespace Solidarity.Web.Pages.Donations.Checkout;

/// <summary>Starts the hosted payment page for a pending donation: Stripe Checkout, or the site's own test checkout.</summary>
internal interface ICheckoutGateway
{
    /// <exception cref="CheckoutUnavailableException">The payment provider could not be reached or refused the request.</exception>
    Task<StartedCheckout> StartAsync(CheckoutRequest request, CancellationToken cancellationToken);

    /// <summary>Starts the payment page for a monthly gift: a subscription that Stripe charges every month.</summary>
    /// <exception cref="CheckoutUnavailableException">The payment provider could not be reached or refused the request.</exception>
    Task<StartedCheckout> StartMonthlyAsync(MonthlyCheckoutRequest request, CancellationToken cancellationToken);
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

/// <summary>Everything the payment page needs to know about one pending monthly gift.</summary>
/// <param name="BranchId">The branch the giver chose, or null for the dispute's shares.</param>
internal sealed record MonthlyCheckoutRequest(
    Guid MonthlyGiftId,
    Guid DisputeId,
    string DisputeSlug,
    string DisputeTitle,
    Guid? BranchId,
    long ChargedPence,
    string Email,
    Uri SiteBase,
    string SuccessUrl,
    string CancelUrl)
{
    public string ProductName => $"Monthly strike fund gift: {DisputeTitle}";
}

/// <summary>The session created for a donation and where to send the supporter to pay.</summary>
internal sealed record StartedCheckout(string SessionId, string Url);

internal sealed class CheckoutUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
