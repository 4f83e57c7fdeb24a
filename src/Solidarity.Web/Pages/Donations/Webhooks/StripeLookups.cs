using Microsoft.Extensions.Options;
using Solidarity.Web.Infrastructure.Stripe;
using Stripe;
using Stripe.Checkout;

namespace Solidarity.Web.Pages.Donations.Webhooks;

/// <summary>
/// What a webhook does not carry and Stripe's API must be asked for: the balance transaction (fee
/// and net), every refund of a charge, the charge behind a dispute. Expanded objects in the payload
/// are used as they are. Without a secret key the site's own test checkout stands in for Stripe and
/// there is no API to ask, so only what the payload carries is known.
/// </summary>
internal sealed class StripeLookups(IStripeClient stripe, IOptions<StripeSettings> settings)
{
    public bool CanAskStripe => !settings.Value.UsesTestCheckout;

    public Task<BalanceTransaction?> BalanceTransactionAsync(Charge charge, CancellationToken cancellationToken) =>
        ExpandedOrFetchedAsync(
            charge.BalanceTransaction,
            charge.BalanceTransactionId,
            id => new BalanceTransactionService(stripe).GetAsync(id, cancellationToken: cancellationToken));

    /// <summary>The charge a Checkout Session's payment intent ended with, if it is known yet.</summary>
    public Task<Charge?> LatestChargeAsync(Session session, CancellationToken cancellationToken) =>
        ExpandedOrFetchedAsync(
            session.PaymentIntent?.LatestCharge,
            session.PaymentIntentId,
            async id => (await new PaymentIntentService(stripe).GetAsync(
                id, new PaymentIntentGetOptions { Expand = ["latest_charge"] }, cancellationToken: cancellationToken)).LatestCharge);

    /// <summary>
    /// Every refund of the charge. Recent API versions leave the list out of charge events, and a long
    /// list is cut short, so Stripe is asked whenever the payload's list is missing or incomplete.
    /// </summary>
    public async Task<IReadOnlyList<Refund>> RefundsAsync(Charge charge, CancellationToken cancellationToken)
    {
        if (charge.Refunds is { HasMore: false, Data: not null } || !CanAskStripe)
        {
            return charge.Refunds?.Data ?? [];
        }

        var refunds = new List<Refund>();
        await foreach (var refund in new RefundService(stripe).ListAutoPagingAsync(
            new RefundListOptions { Charge = charge.Id, Limit = 100 }, cancellationToken: cancellationToken))
        {
            refunds.Add(refund);
        }

        return refunds;
    }

    /// <summary>
    /// What paid the invoice, in the shape the API version Stripe.net pins gives it: the invoice's <c>payments</c> (an
    /// invoice payment, its <c>payment.payment_intent</c>, and that intent's <c>latest_charge</c>). Webhooks leave the
    /// payments out unless they were expanded, so Stripe is asked for them; <see cref="ChargeOfAsync"/> then asks for the
    /// payment intent with its charge, as the checkout path asks for a session's.
    /// </summary>
    public async Task<InvoicePaymentPayment?> PaymentOfAsync(Invoice invoice, CancellationToken cancellationToken)
    {
        var payment = PaidBy(invoice);
        if (payment is null && CanAskStripe && !string.IsNullOrEmpty(invoice.Id))
        {
            var fetched = await new InvoiceService(stripe).GetAsync(
                invoice.Id, new InvoiceGetOptions { Expand = ["payments"] }, cancellationToken: cancellationToken);
            payment = PaidBy(fetched);
        }

        return payment;
    }

    public static string? PaymentIntentIdOf(InvoicePaymentPayment? payment) => payment?.PaymentIntentId ?? payment?.PaymentIntent?.Id;

    /// <summary>The payment intent and the charge of an invoice's payment, asking Stripe for the intent with its charge.</summary>
    public async Task<(string? PaymentIntentId, Charge? Charge)> ChargeOfAsync(InvoicePaymentPayment? payment, CancellationToken cancellationToken)
    {
        if (payment is null)
        {
            return (null, null);
        }

        var intentId = PaymentIntentIdOf(payment);
        if (payment.PaymentIntent?.LatestCharge is { } expanded)
        {
            return (intentId, expanded);
        }

        if (payment.Charge is { } charge)
        {
            return (intentId ?? charge.PaymentIntentId, charge);
        }

        if (string.IsNullOrEmpty(intentId) || !CanAskStripe)
        {
            return (intentId, string.IsNullOrEmpty(payment.ChargeId) ? null : new Charge { Id = payment.ChargeId });
        }

        var intent = await new PaymentIntentService(stripe).GetAsync(
            intentId, new PaymentIntentGetOptions { Expand = ["latest_charge"] }, cancellationToken: cancellationToken);
        return (intentId, intent.LatestCharge);
    }

    /// <summary>The payment that paid the invoice: the one Stripe marks paid, else its default one.</summary>
    private static InvoicePaymentPayment? PaidBy(Invoice invoice) =>
        (invoice.Payments?.Data ?? []).OrderByDescending(p => p.Status == "paid").ThenByDescending(p => p.IsDefault).FirstOrDefault()?.Payment;

    /// <summary>Every chargeback of the charge; none when there is no API to ask.</summary>
    public async Task<IReadOnlyList<Dispute>> DisputesAsync(Charge charge, CancellationToken cancellationToken)
    {
        if (!CanAskStripe)
        {
            return [];
        }

        var disputes = new List<Dispute>();
        await foreach (var dispute in new DisputeService(stripe).ListAutoPagingAsync(
            new DisputeListOptions { Charge = charge.Id, Limit = 100 }, cancellationToken: cancellationToken))
        {
            disputes.Add(dispute);
        }

        return disputes;
    }

    public Task<Charge?> ChargeAsync(Dispute dispute, CancellationToken cancellationToken) =>
        ExpandedOrFetchedAsync(dispute.Charge, dispute.ChargeId, id => new ChargeService(stripe).GetAsync(id, cancellationToken: cancellationToken));

    /// <summary>
    /// An expandable field of a payload: the object itself when Stripe expanded it, else fetched by its id when there is an
    /// API to ask; null when the payload names none, or there is no API.
    /// </summary>
    private async Task<T?> ExpandedOrFetchedAsync<T>(T? expanded, string? id, Func<string, Task<T>> fetch)
        where T : class =>
        expanded ?? (string.IsNullOrEmpty(id) || !CanAskStripe ? null : await fetch(id));
}
