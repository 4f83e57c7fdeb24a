using Stripe;

namespace Solidarity.Web.Infrastructure.Stripe;

/// <summary>
/// What the log may say about a failed call to Stripe: its codes, never its message, which can quote what a donor typed
/// (an email address, a name). Log this instead of the exception.
/// </summary>
internal static class StripeErrors
{
    public static string Describe(Exception e) => e switch
    {
        StripeException stripe =>
            $"HTTP {(int)stripe.HttpStatusCode} {stripe.StripeError?.Type} {stripe.StripeError?.Code} (request {stripe.StripeResponse?.RequestId})".Replace("  ", " ", StringComparison.Ordinal),
        HttpRequestException http => $"network error {http.HttpRequestError} {http.StatusCode}".TrimEnd(),
        _ => e.GetType().Name,
    };
}
