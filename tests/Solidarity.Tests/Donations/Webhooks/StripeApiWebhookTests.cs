using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Ledger;
using Solidarity.Testing;
using Solidarity.Tests.Ledger;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Ledger;

namespace Solidarity.Tests.Donations.Webhooks;

/// <summary>Webhooks whose handling asks Stripe's API (here the loopback stand-in) for what the event leaves out.</summary>
public sealed class StripeApiWebhookTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string SecretKey = "sk_test_standin_key";

    private StripeStandIn _stripe = default!;
    private WebApplicationFactory<Program> _site = default!;
    private MoneyScenario _scenario = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _stripe = await StripeStandIn.StartAsync();
        _site = App.WithWebHostBuilder(b =>
        {
            b.UseSetting("Stripe:SecretKey", SecretKey);
            b.UseSetting("Stripe:ApiBase", _stripe.BaseUrl);
        });
        _scenario = await MoneyScenario.SeedAsync(App);
    }

    public override async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    [Fact]
    public async Task Fee_is_fetched_from_Stripe_on_completion_posted_per_branch_and_kept_out_of_raised()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_501), 2_501);
        var charge = StripePayloads.Charge(payment.DonationId, payment.ChargeId, payment.PaymentIntentId, 2_501, balanceTransaction: "txn_test_fee");
        Answer("GET", $"/v1/payment_intents/{payment.PaymentIntentId}", StripePayloads.PaymentIntent(payment.DonationId, payment.PaymentIntentId, 2_501, charge));
        Answer("GET", "/v1/balance_transactions/txn_test_fee", StripePayloads.BalanceTransaction("txn_test_fee", payment.ChargeId, 2_501, 58));
        using var client = _site.CreateClient();

        await WebhookSender.DeliverAsync(client, payment.Completed());
        await WebhookSender.DeliverAsync(client, payment.ChargeSucceeded(JsonValue.Create("txn_test_fee"), "charge.updated"));

        var fees = (await MoneyScenario.EntriesAsync(App)).Where(e => e.Kind == LedgerEntryKind.ProcessingFee).ToList();
        Assert.Equal(-58, fees.Sum(e => e.AmountPence));
        Assert.Equal([-35, -23], fees.OrderBy(e => e.BranchId == _scenario.Burton ? 0 : 1).Select(e => e.AmountPence));
        Assert.All(fees, e => Assert.Contains("net £24.43", e.Note, StringComparison.Ordinal));
        Assert.All(_stripe.Requests, r => Assert.Equal("Bearer " + SecretKey, r.Authorization));
        Assert.Contains(_stripe.Requests, r => r.Path == "/v1/balance_transactions/txn_test_fee");

        await using var scope = App.Scope();
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerQueries>();
        var money = Assert.Single(await ledger.ForDisputesAsync([_scenario.DisputeId], CancellationToken.None));
        Assert.Equal((2_501, -58, 2_443), (money.RaisedPence, money.FeesPence, money.NetPence));
        var burton = await ledger.BranchBalanceAsync(_scenario.Burton, CancellationToken.None);
        Assert.Equal(1_501 - 35, burton!.OwedPence);
    }

    [Fact]
    public async Task Dispute_arriving_before_anything_else_is_matched_through_its_charge_and_completion_adds_nothing()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 3_000), 3_000);
        Answer("GET", $"/v1/charges/{payment.ChargeId}", StripePayloads.Charge(payment.DonationId, payment.ChargeId, payment.PaymentIntentId, 3_000));
        using var client = _site.CreateClient();

        await WebhookSender.DeliverAsync(client, payment.Dispute("dp_test_first", "charge.dispute.created", "needs_response", 3_000));
        var afterDispute = await MoneyScenario.EntriesAsync(App);
        _stripe.Reset();
        await WebhookSender.DeliverAsync(client, payment.Completed());

        Assert.Equal(afterDispute.Select(e => e.Key), (await MoneyScenario.EntriesAsync(App)).Select(e => e.Key));
        Assert.Equal(3_000, afterDispute.Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
        Assert.Equal(-3_000, afterDispute.Where(e => e.Kind == LedgerEntryKind.Chargeback).Sum(e => e.AmountPence));
    }

    [Fact]
    public async Task Refunds_left_out_of_the_charge_event_are_listed_from_Stripe()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_000), 2_000);
        var refund = StripePayloads.Refund("re_test_listed", payment.ChargeId, payment.PaymentIntentId, 500, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Answer("GET", "/v1/refunds", new JsonObject
        {
            ["object"] = "list", ["data"] = new JsonArray(refund), ["has_more"] = false, ["url"] = "/v1/refunds",
        });
        var charge = StripePayloads.Charge(payment.DonationId, payment.ChargeId, payment.PaymentIntentId, 2_000);
        charge["amount_refunded"] = 500;
        using var client = _site.CreateClient();

        await WebhookSender.DeliverAsync(client, StripePayloads.Event("charge.refunded", charge));

        Assert.Equal(-500, (await MoneyScenario.EntriesAsync(App)).Where(e => e.StripeObjectId == "re_test_listed").Sum(e => e.AmountPence));
        Assert.Contains(_stripe.Requests, r => r.Path == "/v1/refunds" && r.Query.Contains(payment.ChargeId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stripe_API_failure_answers_503_records_nothing_and_the_retry_applies()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_000), 2_000);
        var payload = payment.ChargeSucceeded(JsonValue.Create("txn_test_later"), "charge.updated");
        using var client = _site.CreateClient();

        using var failed = await WebhookSender.SendAsync(client, payload);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(0, await App.WithDbAsync(db => db.StripeEvents.CountAsync()));

        Answer("GET", "/v1/balance_transactions/txn_test_later", StripePayloads.BalanceTransaction("txn_test_later", payment.ChargeId, 2_000, 50));
        await WebhookSender.DeliverAsync(client, payload);

        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal(2_000, entries.Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
        Assert.Equal(-50, entries.Where(e => e.Kind == LedgerEntryKind.ProcessingFee).Sum(e => e.AmountPence));
    }

    /// <summary>
    /// A month's charge.updated brings the fee while the month's invoice.paid is being applied, and finds no donation yet.
    /// Stripe is slow to answer invoice.paid either while it asks which payment paid the invoice (before anything is
    /// locked: the charge's event is then applied first, and the invoice, asking for the charge once locked, finds the fee
    /// there) or while it asks for the charge once locked (the charge's event then waits for the invoice's commit).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_monthly_payments_fee_arriving_while_its_invoice_is_applied_is_posted(bool slowOnceLocked)
    {
        var gift = new Monthly.MonthlySubscription(
            await Monthly.MonthlySubscription.PendingGiftAsync(App, _scenario.DisputeId, 1_000), 1_000, _scenario.DisputeId, "argos-warehouse-strike");
        var invoice = gift.Invoice(1);
        using var client = _site.CreateClient();
        await WebhookSender.DeliverAsync(client, gift.Completed());

        var noFeeYet = StripePayloads.Charge(null, invoice.ChargeId, invoice.PaymentIntentId, 1_000);
        var withFee = StripePayloads.Charge(null, invoice.ChargeId, invoice.PaymentIntentId, 1_000, balanceTransaction: "txn_test_monthly");
        var intent = StripePayloads.PaymentIntent(Guid.Empty, invoice.PaymentIntentId, 1_000, noFeeYet);
        intent["metadata"] = new JsonObject();
        Answer("GET", "/v1/balance_transactions/txn_test_monthly", StripePayloads.BalanceTransaction("txn_test_monthly", invoice.ChargeId, 1_000, 35));
        using var asked = new ManualResetEventSlim();
        using var answer = new ManualResetEventSlim();
        StripeAnswer Slowly(JsonObject body)
        {
            asked.Set();
            answer.Wait(TimeSpan.FromSeconds(30));
            return new StripeAnswer(200, body.ToJsonString());
        }

        // The invoice's payments, left out of its event, are asked for first; then its payment intent with the charge,
        // which holds the fee only if the charge's event was sent before.
        var expanded = JsonNode.Parse(gift.Paid(1))!["data"]!["object"]!.AsObject();
        var intentWithFee = intent.DeepClone().AsObject();
        intentWithFee["latest_charge"] = withFee.DeepClone();
        _stripe.On("GET", $"/v1/invoices/{invoice.Id}", _ => slowOnceLocked ? new StripeAnswer(200, expanded.ToJsonString()) : Slowly(expanded));
        _stripe.On("GET", $"/v1/payment_intents/{invoice.PaymentIntentId}", _ => slowOnceLocked ? Slowly(intent) : new StripeAnswer(200, intentWithFee.ToJsonString()));

        var paid = WebhookSender.DeliverAsync(client, gift.Paid(1, expandedPayments: false));
        Assert.True(asked.Wait(TimeSpan.FromSeconds(30)), "invoice.paid never asked Stripe.");
        var updated = WebhookSender.DeliverAsync(client, StripePayloads.Event("charge.updated", withFee));
        if (slowOnceLocked)
        {
            // The charge's event waits for the invoice's commit rather than finding no donation and being passed over.
            Assert.NotSame(updated, await Task.WhenAny(updated, Task.Delay(TimeSpan.FromSeconds(1))));
        }
        else
        {
            Assert.Equal("ignored", await updated);
        }

        answer.Set();
        Assert.Equal("applied", await paid);
        await updated;
        var fees = (await MoneyScenario.EntriesAsync(App)).Where(e => e.Kind == LedgerEntryKind.ProcessingFee).ToList();
        Assert.Equal(-35, fees.Sum(e => e.AmountPence));
    }

    private void Answer(string method, string path, JsonObject body) => _stripe.On(method, path, _ => new StripeAnswer(200, body.ToJsonString()));
}
