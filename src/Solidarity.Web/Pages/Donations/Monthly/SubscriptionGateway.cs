using Solidarity.Web.Pages.Donations.Checkout;
using Stripe;

namespace Solidarity.Web.Pages.Donations.Monthly;

/// <summary>What the site asks Stripe to do to a monthly gift's subscription. Each call carries an idempotency key.</summary>
internal interface ISubscriptionGateway
{
    /// <summary>Cancels the subscription at once; one already cancelled counts as done.</summary>
    Task CancelAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>
    /// Stops collecting (<c>pause_collection[behavior]=void</c>) and voids the invoices raised before the pause, drafts
    /// and open ones: no invoice is charged until collection resumes.
    /// </summary>
    Task PauseAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Resumes collection with new metadata (the dispute and branch the gift now goes to).</summary>
    Task ResumeAsync(string subscriptionId, IReadOnlyDictionary<string, string> metadata, string idempotencyKey, CancellationToken cancellationToken);
}

/// <summary>The subscription API of Stripe, through Stripe.net.</summary>
internal sealed class StripeSubscriptionGateway(IStripeClient stripe, ILogger<StripeSubscriptionGateway> logger) : ISubscriptionGateway
{
    public async Task CancelAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken)
    {
        try
        {
            await new SubscriptionService(stripe).CancelAsync(
                subscriptionId, new SubscriptionCancelOptions(), new RequestOptions { IdempotencyKey = idempotencyKey }, cancellationToken);
        }
        catch (StripeException e) when (e.StripeError?.Code == "resource_missing")
        {
            // Stripe no longer has it as a live subscription: it was cancelled already, from the dashboard or by Stripe.
        }
    }

    public async Task PauseAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken)
    {
        await new SubscriptionService(stripe).UpdateAsync(
            subscriptionId,
            new SubscriptionUpdateOptions { PauseCollection = new SubscriptionPauseCollectionOptions { Behavior = "void" } },
            new RequestOptions { IdempotencyKey = idempotencyKey },
            cancellationToken);

        // A pause stops new invoices only. One raised before it would still be charged after the dispute ended: a month's
        // invoice still a draft (Stripe drafts a renewal about an hour before it charges it), and one whose card was
        // declined and that Stripe is retrying. A draft is finalised without collection, which makes it open; then every
        // open invoice is voided. One paid, finalised or voided meanwhile is left as it is.
        var invoices = new InvoiceService(stripe);
        await foreach (var draft in invoices.ListAutoPagingAsync(
            new InvoiceListOptions { Subscription = subscriptionId, Status = "draft", Limit = 100 }, cancellationToken: cancellationToken))
        {
            try
            {
                await invoices.FinalizeInvoiceAsync(
                    draft.Id,
                    new InvoiceFinalizeOptions { AutoAdvance = false },
                    new RequestOptions { IdempotencyKey = $"{idempotencyKey}:finalize:{draft.Id}" },
                    cancellationToken);
            }
            catch (StripeException e) when (e.HttpStatusCode == System.Net.HttpStatusCode.BadRequest)
            {
                logger.LogWarning(
                    "Draft invoice {InvoiceId} of subscription {SubscriptionId} was not finalised ({StripeErrorCode}): Stripe finalised it meanwhile",
                    draft.Id, subscriptionId, e.StripeError?.Code);
            }
        }

        await foreach (var invoice in invoices.ListAutoPagingAsync(
            new InvoiceListOptions { Subscription = subscriptionId, Status = "open", Limit = 100 }, cancellationToken: cancellationToken))
        {
            try
            {
                await invoices.VoidInvoiceAsync(
                    invoice.Id, new InvoiceVoidOptions(), new RequestOptions { IdempotencyKey = $"{idempotencyKey}:void:{invoice.Id}" }, cancellationToken);
            }
            catch (StripeException e) when (e.HttpStatusCode == System.Net.HttpStatusCode.BadRequest)
            {
                logger.LogWarning(
                    "Invoice {InvoiceId} of subscription {SubscriptionId} was not voided ({StripeErrorCode}): it was paid or closed meanwhile",
                    invoice.Id, subscriptionId, e.StripeError?.Code);
            }
        }
    }

    public Task ResumeAsync(
        string subscriptionId, IReadOnlyDictionary<string, string> metadata, string idempotencyKey, CancellationToken cancellationToken)
    {
        var options = new SubscriptionUpdateOptions { Metadata = new Dictionary<string, string>(metadata) };

        // An empty value clears pause_collection, which resumes collection.
        options.AddExtraParam("pause_collection", "");
        return new SubscriptionService(stripe).UpdateAsync(
            subscriptionId, options, new RequestOptions { IdempotencyKey = idempotencyKey }, cancellationToken);
    }
}

/// <summary>The test checkout has no Stripe to ask: the site's own record of the gift is all there is.</summary>
internal sealed class TestCheckoutSubscriptionGateway : ISubscriptionGateway
{
    public Task CancelAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PauseAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ResumeAsync(
        string subscriptionId, IReadOnlyDictionary<string, string> metadata, string idempotencyKey, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}
