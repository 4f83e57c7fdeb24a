using Stripe;
using Stripe.Checkout;

namespace Solidarity.Web.Pages.Donations.Checkout;

/// <summary>Creates Stripe Checkout Sessions through Stripe.net.</summary>
internal sealed class StripeCheckoutGateway(IStripeClient stripe, ILogger<StripeCheckoutGateway> logger) : ICheckoutGateway
{
    public async Task<StartedCheckout> StartAsync(CheckoutRequest request, CancellationToken cancellationToken)
    {
        var donationId = request.DonationId.ToString();
        var metadata = new Dictionary<string, string> { ["donation_id"] = donationId, ["dispute"] = request.DisputeSlug };
        var options = new SessionCreateOptions
        {
            Mode = "payment",
            SubmitType = "donate",
            Currency = "gbp",
            LineItems =
            [
                new SessionLineItemOptions
                {
                    Quantity = 1,
                    PriceData = new SessionLineItemPriceDataOptions
                    {
                        Currency = "gbp",
                        UnitAmount = request.ChargedPence,
                        ProductData = new SessionLineItemPriceDataProductDataOptions { Name = request.ProductName },
                    },
                },
            ],
            ClientReferenceId = donationId,
            CustomerEmail = request.Email,
            Metadata = metadata,
            PaymentIntentData = new SessionPaymentIntentDataOptions { Metadata = new Dictionary<string, string>(metadata) },
            SuccessUrl = request.SuccessUrl,
            CancelUrl = request.CancelUrl,
        };

        // The donation id as idempotency key: Stripe.net's own retries, and any replay of this call, can
        // only ever create the one session for this donation.
        var requestOptions = new RequestOptions { IdempotencyKey = donationId };
        try
        {
            var session = await new SessionService(stripe).CreateAsync(options, requestOptions, cancellationToken);
            if (string.IsNullOrEmpty(session.Url))
            {
                throw new CheckoutUnavailableException($"Stripe created session {session.Id} without a URL to send the supporter to.");
            }

            return new StartedCheckout(session.Id, session.Url);
        }
        catch (StripeException e)
        {
            // Stripe's message may quote what the donor typed (their email address, say): only its codes are logged,
            // and the exception, whose message is Stripe's, is not.
            logger.LogError(
                "Stripe refused the Checkout Session for donation {DonationId}: HTTP {Status}, {StripeErrorType} {StripeErrorCode} (request {RequestId})",
                donationId, (int)e.HttpStatusCode, e.StripeError?.Type, e.StripeError?.Code, e.StripeResponse?.RequestId);
            throw new CheckoutUnavailableException("Stripe did not create the Checkout Session.", e);
        }
        catch (HttpRequestException e)
        {
            logger.LogError("Stripe could not be reached for donation {DonationId}: {Error} {StatusCode}", donationId, e.HttpRequestError, e.StatusCode);
            throw new CheckoutUnavailableException("Stripe could not be reached.", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError("Stripe did not answer in time for donation {DonationId}, after its retries", donationId);
            throw new CheckoutUnavailableException("Stripe did not answer in time.", e);
        }
    }
}
