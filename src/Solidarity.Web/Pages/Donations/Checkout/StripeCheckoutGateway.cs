using Stripe;
using Stripe.Checkout;

namespace Solidarity.Web.Pages.Donations.Checkout;

/// <summary>Creates Stripe Checkout Sessions through Stripe.net.</summary>
internal sealed class StripeCheckoutGateway(IStripeClient stripe, ILogger<StripeCheckoutGateway> logger) : ICheckoutGateway
{
    /// <summary>The one way of paying a session offers: see <see cref="Session"/>.</summary>
    public const string PaymentMethodType = "card";

    public async Task<StartedCheckout> StartAsync(CheckoutRequest request, CancellationToken cancellationToken)
    {
        var donationId = request.DonationId.ToString();
        var metadata = new Dictionary<string, string> { ["donation_id"] = donationId, ["dispute"] = request.DisputeSlug };
        var options = Session("payment", donationId, request.ProductName, request.ChargedPence, request.Email, metadata, request.SuccessUrl, request.CancelUrl);
        options.SubmitType = "donate";
        options.PaymentIntentData = new SessionPaymentIntentDataOptions { Metadata = metadata };

        // The donation id as idempotency key: Stripe.net's own retries, and any replay of this call, can
        // only ever create the one session for this donation.
        return await CreateAsync(options, donationId, "donation", donationId, cancellationToken);
    }

    public async Task<StartedCheckout> StartMonthlyAsync(MonthlyCheckoutRequest request, CancellationToken cancellationToken)
    {
        var giftId = request.MonthlyGiftId.ToString();

        // On the subscription, so that every invoice it raises carries them (parent.subscription_details.metadata): the
        // site's record of the gift, the dispute and the branch or share it goes to.
        var metadata = MonthlyGiftMetadata.For(request.MonthlyGiftId, request.DisputeId, request.DisputeSlug, request.BranchId);
        var options = Session("subscription", giftId, request.ProductName, request.ChargedPence, request.Email, metadata, request.SuccessUrl, request.CancelUrl);
        options.LineItems[0].PriceData.Recurring = new SessionLineItemPriceDataRecurringOptions { Interval = "month" };
        options.SubscriptionData = new SessionSubscriptionDataOptions { Metadata = metadata };

        // The gift's id as idempotency key, for the same reason: one session per monthly gift.
        return await CreateAsync(options, "monthly:" + giftId, "monthly gift", giftId, cancellationToken);
    }

    /// <summary>
    /// What a one-off and a monthly session share: one line charging <paramref name="chargedPence"/> in pounds sterling, by
    /// card only, the site's <paramref name="reference"/> and <paramref name="metadata"/> on the session, who pays, and where
    /// they come back to.
    /// </summary>
    /// <remarks>
    /// Card only (wallets such as Apple Pay and Google Pay are cards too), rather than whatever methods the Stripe account
    /// enables: receipts describe the payment as by card, the fee a donor may cover is estimated from card fees, and a card
    /// payment is confirmed at once, where a bank debit would leave a gift pending for days. Since Stripe's API of 2026-09-30
    /// a session names them as <c>allowed_payment_method_types</c>.
    /// </remarks>
    private static SessionCreateOptions Session(
        string mode, string reference, string productName, long chargedPence, string email, Dictionary<string, string> metadata,
        string successUrl, string cancelUrl) => new()
    {
        Mode = mode,
        AllowedPaymentMethodTypes = [PaymentMethodType],
        Currency = "gbp",
        LineItems =
        [
            new SessionLineItemOptions
            {
                Quantity = 1,
                PriceData = new SessionLineItemPriceDataOptions
                {
                    Currency = "gbp",
                    UnitAmount = chargedPence,
                    ProductData = new SessionLineItemPriceDataProductDataOptions { Name = productName },
                },
            },
        ],
        ClientReferenceId = reference,
        CustomerEmail = email,
        Metadata = new Dictionary<string, string>(metadata),
        SuccessUrl = successUrl,
        CancelUrl = cancelUrl,
    };

    private async Task<StartedCheckout> CreateAsync(
        SessionCreateOptions options, string idempotencyKey, string what, string id, CancellationToken cancellationToken)
    {
        var requestOptions = new RequestOptions { IdempotencyKey = idempotencyKey };
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
            // and the exception, whose message is Stripe's, is neither logged nor carried on inside the one the form
            // logs.
            logger.LogError(
                "Stripe refused the Checkout Session for {What} {DonationId}: HTTP {Status}, {StripeErrorType} {StripeErrorCode} (request {RequestId})",
                what, id, (int)e.HttpStatusCode, e.StripeError?.Type, e.StripeError?.Code, e.StripeResponse?.RequestId);
            throw new CheckoutUnavailableException(
                $"Stripe did not create the Checkout Session: HTTP {(int)e.HttpStatusCode}, {e.StripeError?.Type} {e.StripeError?.Code}.");
        }
        catch (HttpRequestException e)
        {
            logger.LogError("Stripe could not be reached for {What} {DonationId}: {Error} {StatusCode}", what, id, e.HttpRequestError, e.StatusCode);
            throw new CheckoutUnavailableException("Stripe could not be reached.", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError("Stripe did not answer in time for {What} {DonationId}, after its retries", what, id);
            throw new CheckoutUnavailableException("Stripe did not answer in time.", e);
        }
    }
}
