using System.Text.Json;
using Stripe;
using Stripe.Checkout;

namespace Solidarity.Web.Pages.Donations.Webhooks;

/// <summary>
/// Reads the events a busy day is made of, a one-off Checkout Session paid (<c>checkout.session.completed</c> and
/// <c>checkout.session.async_payment_succeeded</c> in <c>payment</c> mode), without Stripe.net's deserialiser, which
/// spends 0.1 to 0.25 ms of CPU on each (it builds a converter for every property it reads), several times what
/// checking the signature and recording the event cost. Every other event, and any of these in a shape this reader
/// does not expect, is left to Stripe.net (<see cref="TryRead"/> answers null).
/// </summary>
/// <remarks>
/// The objects it builds carry only what the webhook reads of a one-off session: the event's id, type and time, and
/// the session's id, mode, payment status, amount, currency, client reference, metadata and payment intent id. Code
/// that comes to need another field of these sessions reads it here too; a test checks each field against Stripe.net's.
/// </remarks>
internal static class CheckoutSessionEventReader
{
    /// <returns>The event, or null when Stripe.net is to parse it.</returns>
    public static Event? TryRead(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Read(document.RootElement);
        }
        catch (JsonException)
        {
            // Stripe.net parses it again, and says why it is malformed.
            return null;
        }
    }

    private static Event? Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || Text(root, "object") != "event"
            || Text(root, "type") is not { } type
            || type is not (EventTypes.CheckoutSessionCompleted or EventTypes.CheckoutSessionAsyncPaymentSucceeded)
            || Text(root, "id") is not { Length: > 0 } id
            || !root.TryGetProperty("created", out var created) || !created.TryGetInt64(out var createdSeconds)
            || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("object", out var session) || session.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (Text(session, "object") != "checkout.session"
            || Text(session, "mode") != "payment"
            || Text(session, "id") is not { Length: > 0 } sessionId
            || !TryOptionalText(session, "payment_status", out var paymentStatus)
            || !TryOptionalText(session, "currency", out var currency)
            || !TryOptionalText(session, "client_reference_id", out var clientReferenceId)
            || !TryOptionalText(session, "payment_intent", out var paymentIntentId)
            || !TryOptionalLong(session, "amount_total", out var amountTotal)
            || !TryMetadata(session, out var metadata))
        {
            return null;
        }

        return new Event
        {
            Id = id,
            Object = "event",
            Type = type,
            Created = DateTimeOffset.FromUnixTimeSeconds(createdSeconds).UtcDateTime,
            Livemode = root.TryGetProperty("livemode", out var livemode) && livemode.ValueKind == JsonValueKind.True,
            ApiVersion = Text(root, "api_version"),
            Data = new EventData
            {
                Object = new Session
                {
                    Id = sessionId,
                    Object = "checkout.session",
                    Mode = "payment",
                    PaymentStatus = paymentStatus,
                    AmountTotal = amountTotal,
                    Currency = currency,
                    ClientReferenceId = clientReferenceId,
                    Metadata = metadata,
                    PaymentIntentId = paymentIntentId,
                },
            },
        };
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A string, or null when absent or null; false for anything else (an expanded object, a number).</summary>
    private static bool TryOptionalText(JsonElement element, string name, out string? text)
    {
        text = null;
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return text is not null;
    }

    private static bool TryOptionalLong(JsonElement element, string name, out long? number)
    {
        number = null;
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var parsed))
        {
            number = parsed;
            return true;
        }

        return false;
    }

    /// <summary>Stripe's metadata: string values only; absent or null reads as empty.</summary>
    private static bool TryMetadata(JsonElement session, out Dictionary<string, string> metadata)
    {
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!session.TryGetProperty("metadata", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var pair in value.EnumerateObject())
        {
            if (pair.Value.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            metadata[pair.Name] = pair.Value.GetString()!;
        }

        return true;
    }
}
