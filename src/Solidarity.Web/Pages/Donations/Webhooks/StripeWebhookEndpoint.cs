using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Infrastructure.Stripe;
using Stripe;

namespace Solidarity.Web.Pages.Donations.Webhooks;

/// <summary>
/// POST /webhooks/stripe: the only thing that confirms a card payment. The raw body is verified
/// against the endpoint's signing secret before anything is parsed or stored; Stripe retries
/// anything that is not a 2xx, so only a server fault answers 5xx.
/// </summary>
internal static class StripeWebhookEndpoint
{
    public const string Path = "/webhooks/stripe";

    /// <summary>Stripe's events are a few kilobytes; anything far larger is not from Stripe.</summary>
    private const int MaxBodyBytes = 512 * 1024;

    public static IEndpointConventionBuilder MapStripeWebhook(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(Path, HandleAsync).DisableAntiforgery().ExcludeFromDescription().ForAudience(Audience.Machine);

    private static async Task<IResult> HandleAsync(
        HttpRequest request,
        IOptions<StripeSettings> settings,
        TimeProvider time,
        StripeEventProcessor processor,
        ILogger<StripeEventProcessor> logger,
        CancellationToken cancellationToken)
    {
        var signature = request.Headers["Stripe-Signature"].ToString();
        if (string.IsNullOrWhiteSpace(signature))
        {
            return Results.Text("Missing Stripe-Signature header.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return Results.Text("Payload too large.", statusCode: StatusCodes.Status400BadRequest);
        }

        // A chunked body has no length to check up front: cap what the server will read instead.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        string json;
        try
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            json = await reader.ReadToEndAsync(cancellationToken);
        }
        catch (BadHttpRequestException)
        {
            return Results.Text("Payload too large.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (json.Length > MaxBodyBytes)
        {
            return Results.Text("Payload too large.", statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            EventUtility.ValidateSignature(
                json, signature, settings.Value.WebhookSecret, settings.Value.WebhookToleranceSeconds, time.GetUtcNow().ToUnixTimeSeconds());
        }
        catch (StripeException e)
        {
            logger.LogWarning("Refused a Stripe webhook: {Reason}", e.Message);
            return Results.Text("Invalid or expired signature.", statusCode: StatusCodes.Status400BadRequest);
        }

        Event stripeEvent;
        try
        {
            stripeEvent = CheckoutSessionEventReader.TryRead(json) ?? EventUtility.ParseEvent(json, throwOnApiVersionMismatch: false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Only the kind of failure: a parser's message can quote the value it could not read, and a signed event carries
            // the donor's name and email address.
            logger.LogWarning("Refused a signed Stripe webhook that does not parse: {Error}", e.GetType().Name);
            return Results.Text("Malformed event.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (string.IsNullOrEmpty(stripeEvent?.Id) || string.IsNullOrEmpty(stripeEvent.Type))
        {
            return Results.Text("Malformed event.", statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            var outcome = await processor.ProcessAsync(stripeEvent, cancellationToken);
            return Results.Text(outcome, statusCode: StatusCodes.Status200OK);
        }
        catch (Exception e) when (e is StripeException or HttpRequestException)
        {
            // Nothing was recorded, so Stripe's retry of this event will apply it once the API answers.
            logger.LogWarning("Stripe's API failed while applying event {EventId} ({Error}); asking Stripe to retry", stripeEvent.Id, StripeErrors.Describe(e));
            return Results.Text("Stripe's API could not be reached; retry later.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
