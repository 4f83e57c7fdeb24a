namespace Solidarity.Web.Pages.Donations.Checkout;

/// <summary>
/// Development without Stripe keys: a "session" is only an id, and its payment page is the site's own
/// <c>/test-checkout/{id}</c>, which finds the donation by that id.
/// </summary>
internal sealed class TestCheckoutGateway : ICheckoutGateway
{
    public const string SessionPrefix = "cs_test_local_";

    /// <summary>One session per gift, however often it is asked for, as Stripe gives under the gift's idempotency key.</summary>
    public Task<StartedCheckout> StartAsync(CheckoutRequest request, CancellationToken cancellationToken)
    {
        var sessionId = SessionPrefix + request.DonationId.ToString("N");
        var url = new Uri(request.SiteBase, $"test-checkout/{sessionId}");
        return Task.FromResult(new StartedCheckout(sessionId, url.ToString()));
    }

    public Task<StartedCheckout> StartMonthlyAsync(MonthlyCheckoutRequest request, CancellationToken cancellationToken) =>
        StartAsync(new CheckoutRequest(
            request.MonthlyGiftId, request.DisputeSlug, request.DisputeTitle, request.ChargedPence, request.Email, request.SiteBase,
            request.SuccessUrl, request.CancelUrl), cancellationToken);

    /// <summary>The payment intent a test session stands for; derived so every event about the session agrees.</summary>
    public static string PaymentIntentFor(string sessionId) => "pi_test_local_" + sessionId[SessionPrefix.Length..];
}
