using Stripe;

namespace Solidarity.Web.Pages.Donations.Webhooks;

/// <summary>
/// Every Stripe event type the webhook acts on. Stripe sends only the types an endpoint subscribes to, so the
/// site's endpoint must subscribe to each of these: `check-stripe` compares them with what Stripe is told to send,
/// and the runbook lists them for whoever registers the endpoint.
/// </summary>
internal static class HandledStripeEvents
{
    public static readonly IReadOnlyList<string> All =
    [
        EventTypes.CheckoutSessionCompleted,
        EventTypes.CheckoutSessionAsyncPaymentSucceeded,
        EventTypes.CheckoutSessionAsyncPaymentFailed,
        EventTypes.CheckoutSessionExpired,
        EventTypes.ChargeSucceeded,
        EventTypes.ChargeUpdated,
        EventTypes.ChargeRefunded,
        EventTypes.ChargeRefundUpdated,
        EventTypes.ChargeDisputeCreated,
        EventTypes.ChargeDisputeClosed,
        EventTypes.ChargeDisputeFundsWithdrawn,
        EventTypes.ChargeDisputeFundsReinstated,
        EventTypes.PaymentIntentPaymentFailed,
        EventTypes.ChargeFailed,
        EventTypes.InvoicePaid,
        EventTypes.InvoicePaymentFailed,
        EventTypes.CustomerSubscriptionUpdated,
        EventTypes.CustomerSubscriptionDeleted,
    ];
}
