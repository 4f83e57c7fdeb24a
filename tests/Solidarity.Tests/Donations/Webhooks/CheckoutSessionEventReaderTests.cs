using System.Text.Json.Nodes;
using Solidarity.Web.Pages.Donations.Webhooks;
using Stripe;
using Stripe.Checkout;

namespace Solidarity.Tests.Donations.Webhooks;

/// <summary>
/// The webhook reads paid one-off Checkout Sessions itself, and leaves every other event to Stripe.net: what it reads
/// must be what Stripe.net would have read, field for field, and anything it does not expect must go to Stripe.net.
/// </summary>
public sealed class CheckoutSessionEventReaderTests
{
    private static readonly Guid DonationId = Guid.Parse("0191f3c2-7a1e-7c4d-9b2a-3f1e2d4c5b6a");

    public static TheoryData<string> Sessions => new()
    {
        "paid",
        "unpaid",
        "async payment succeeded",
        "no metadata",
        "null metadata",
        "null amount and currency",
        "no client reference",
        "no payment intent",
        "extra metadata",
        "live",
    };

    [Theory]
    [MemberData(nameof(Sessions))]
    public void A_one_off_session_event_reads_as_Stripe_net_reads_it(string variant)
    {
        var json = SessionEvent(variant);

        var read = CheckoutSessionEventReader.TryRead(json);
        var expected = EventUtility.ParseEvent(json, throwOnApiVersionMismatch: false);

        Assert.NotNull(read);
        Assert.Equal(
            (expected.Id, expected.Type, expected.Created, expected.Livemode, expected.ApiVersion),
            (read.Id, read.Type, read.Created, read.Livemode, read.ApiVersion));
        var session = Assert.IsType<Session>(read.Data.Object);
        var stripeSession = Assert.IsType<Session>(expected.Data.Object);
        Assert.Equal(
            (stripeSession.Id, stripeSession.Mode, stripeSession.PaymentStatus, stripeSession.AmountTotal, stripeSession.Currency),
            (session.Id, session.Mode, session.PaymentStatus, session.AmountTotal, session.Currency));
        Assert.Equal(
            (stripeSession.ClientReferenceId, stripeSession.PaymentIntentId, stripeSession.PaymentIntent),
            (session.ClientReferenceId, session.PaymentIntentId, session.PaymentIntent));
        Assert.Equal(stripeSession.Metadata ?? [], session.Metadata ?? []);
    }

    public static TheoryData<string, string> OthersLeftToStripe => new()
    {
        { "a subscription's session", Event(EventTypes.CheckoutSessionCompleted, Subscription()) },
        { "an expired session", Event(EventTypes.CheckoutSessionExpired, Session()) },
        { "a refund", Event(EventTypes.ChargeRefunded, StripePayloads.Charge(DonationId, "ch_1", "pi_1", 500)) },
        { "an expanded payment intent", Event(EventTypes.CheckoutSessionCompleted, Session(s => s["payment_intent"] = new JsonObject { ["id"] = "pi_1", ["object"] = "payment_intent" })) },
        { "metadata that is not text", Event(EventTypes.CheckoutSessionCompleted, Session(s => s["metadata"] = new JsonObject { ["donation_id"] = 12 })) },
        { "an amount that is not a whole number", Event(EventTypes.CheckoutSessionCompleted, Session(s => s["amount_total"] = 12.5)) },
        { "a session with no id", Event(EventTypes.CheckoutSessionCompleted, Session(s => s.Remove("id"))) },
        { "an event with no time", Event(EventTypes.CheckoutSessionCompleted, Session(), e => e.Remove("created")) },
        { "a thin event", Event(EventTypes.CheckoutSessionCompleted, Session(), e => e["object"] = "v2.core.event") },
        { "a payload that is not JSON", "{\"id\": \"evt_1\", " },
        { "a payload that is not an object", "[]" },
    };

    [Theory]
    [MemberData(nameof(OthersLeftToStripe))]
    public void Every_other_event_is_left_to_Stripe_net(string what, string json)
    {
        Assert.False(string.IsNullOrEmpty(what));
        Assert.Null(CheckoutSessionEventReader.TryRead(json));
    }

    private static string SessionEvent(string variant) => variant switch
    {
        "paid" => Event(EventTypes.CheckoutSessionCompleted, Session()),
        "unpaid" => Event(EventTypes.CheckoutSessionCompleted, Session(s => s["payment_status"] = "unpaid")),
        "async payment succeeded" => Event(EventTypes.CheckoutSessionAsyncPaymentSucceeded, Session()),
        "no metadata" => Event(EventTypes.CheckoutSessionCompleted, Session(s => s.Remove("metadata"))),
        "null metadata" => Event(EventTypes.CheckoutSessionCompleted, Session(s => s["metadata"] = null)),
        "null amount and currency" => Event(EventTypes.CheckoutSessionCompleted, Session(s => (s["amount_total"], s["currency"]) = (null, null))),
        "no client reference" => Event(EventTypes.CheckoutSessionCompleted, Session(s => s["client_reference_id"] = null)),
        "no payment intent" => Event(EventTypes.CheckoutSessionCompleted, Session(s => s["payment_intent"] = null)),
        "extra metadata" => Event(EventTypes.CheckoutSessionCompleted, Session(s => s["metadata"]!["source"] = "share-card")),
        "live" => Event(EventTypes.CheckoutSessionCompleted, Session(), e => e["livemode"] = true),
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    private static JsonObject Session(Action<JsonObject>? change = null)
    {
        var session = StripePayloads.Session(DonationId, "cs_test_1", "pi_test_1", 2_500);
        change?.Invoke(session);
        return session;
    }

    private static JsonObject Subscription() =>
        StripePayloads.SubscriptionSession(DonationId, "cs_test_2", "sub_1", "cus_1", "in_1", 500);

    private static string Event(string type, JsonObject dataObject, Action<JsonObject>? change = null)
    {
        var stripeEvent = JsonNode.Parse(StripePayloads.Event(type, dataObject))!.AsObject();
        change?.Invoke(stripeEvent);
        return stripeEvent.ToJsonString();
    }
}
