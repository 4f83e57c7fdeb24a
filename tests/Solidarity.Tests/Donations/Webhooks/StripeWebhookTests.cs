using System.Net;
using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Testing;
using Solidarity.Tests.Ledger;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Disputes;

namespace Solidarity.Tests.Donations.Webhooks;

public sealed class StripeWebhookTests(SiteFixture fixture) : SiteTest(fixture)
{
    private MoneyScenario _scenario = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _scenario = await MoneyScenario.SeedAsync(App);
    }

    [Fact]
    public async Task Signed_checkout_completion_marks_the_donation_paid_and_posts_what_it_received()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_500), 2_500);
        using var client = App.CreateClient();

        using var response = await WebhookSender.SendAsync(client, payment.Completed());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var donation = await MoneyScenario.DonationAsync(App, payment.DonationId);
        Assert.Equal(DonationStatus.Paid, donation.Status);
        Assert.Equal(payment.PaymentIntentId, donation.StripePaymentIntentId);
        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.All(entries, e => Assert.Equal(LedgerEntryKind.DonationReceived, e.Kind));
        Assert.Equal([1_500, 1_000], entries.OrderBy(e => e.BranchId == _scenario.Burton ? 0 : 1).Select(e => e.AmountPence));
        Assert.Equal(new DisputeTotals(2_500, 1), await TotalsAsync());
        var record = await App.WithDbAsync(db => db.StripeEvents.SingleAsync());
        Assert.Equal(("applied", payment.DonationId), (record.Outcome, record.DonationId));
    }

    [Fact]
    public async Task Oversized_body_without_a_length_is_refused_and_records_nothing()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_500), 2_500);
        var payload = payment.Completed().Replace("\"livemode\"", $"\"padding\":\"{new string('x', 600 * 1024)}\",\"livemode\"", StringComparison.Ordinal);
        using var client = App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhookSender.Path)
        {
            // A stream of unknown length is sent chunked, so the endpoint cannot check a Content-Length first.
            Content = new StreamContent(new UnknownLengthStream(System.Text.Encoding.UTF8.GetBytes(payload))),
        };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", StripeSigner.Header(payload, SolidarityApp.WebhookSecret, DateTimeOffset.UtcNow));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await App.WithDbAsync(db => db.StripeEvents.CountAsync()));
        Assert.Empty(await MoneyScenario.EntriesAsync(App));
    }

    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Theory]
    [InlineData("forged")]
    [InlineData("wrong-secret")]
    [InlineData("stale")]
    [InlineData("unsigned")]
    [InlineData("garbage-header")]
    public async Task Webhook_that_is_not_verifiably_from_Stripe_is_refused_and_changes_nothing(string attack)
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_500), 2_500);
        var payload = payment.Completed();
        using var client = App.CreateClient();

        using var response = attack switch
        {
            "forged" => await WebhookSender.SendRawAsync(
                client, payload.Replace("2500", "9999", StringComparison.Ordinal), StripeSigner.Header(payload, SolidarityApp.WebhookSecret, DateTimeOffset.UtcNow)),
            "wrong-secret" => await WebhookSender.SendAsync(client, payload, secret: "whsec_someone_elses_secret"),
            "stale" => await WebhookSender.SendAsync(client, payload, signedAt: DateTimeOffset.UtcNow.AddMinutes(-6)),
            "unsigned" => await WebhookSender.SendRawAsync(client, payload, signatureHeader: null),
            _ => await WebhookSender.SendRawAsync(client, payload, "t=abc,v1=nothex"),
        };

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadAsStringAsync()).Length is > 0 and < 100);
        Assert.Empty(await MoneyScenario.EntriesAsync(App));
        Assert.Equal(0, await App.WithDbAsync(db => db.StripeEvents.CountAsync()));
        Assert.Equal(DonationStatus.Pending, (await MoneyScenario.DonationAsync(App, payment.DonationId)).Status);
    }

    [Fact]
    public async Task Signature_within_five_minutes_is_accepted()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_500), 2_500);
        using var client = App.CreateClient();

        using var response = await WebhookSender.SendAsync(client, payment.Completed(), signedAt: DateTimeOffset.UtcNow.AddMinutes(-4));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("{\"id\": \"evt_1\", \"type\": ")]
    [InlineData("not json at all")]
    [InlineData("{\"object\": \"event\"}")]
    public async Task Signed_but_malformed_event_is_refused(string payload)
    {
        using var client = App.CreateClient();

        using var response = await WebhookSender.SendAsync(client, payload);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await App.WithDbAsync(db => db.StripeEvents.CountAsync()));
    }

    [Fact]
    public async Task Unknown_event_type_is_acknowledged_and_recorded_as_ignored()
    {
        var payload = StripePayloads.Event("customer.created", new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = "cus_test_1", ["object"] = "customer", ["email"] = null, ["metadata"] = new System.Text.Json.Nodes.JsonObject(),
        });
        using var client = App.CreateClient();

        using var response = await WebhookSender.SendAsync(client, payload);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = await App.WithDbAsync(db => db.StripeEvents.SingleAsync());
        Assert.Equal(("customer.created", "ignored"), (record.Type, record.Outcome));
        Assert.Empty(await MoneyScenario.EntriesAsync(App));
    }

    [Fact]
    public async Task Duplicate_webhook_is_recorded_once()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_500), 2_500);
        var payload = payment.Completed();
        using var client = App.CreateClient();

        await WebhookSender.DeliverAsync(client, payload);
        using var again = await WebhookSender.SendAsync(client, payload);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(2, (await MoneyScenario.EntriesAsync(App)).Count);
        Assert.Equal(1, await App.WithDbAsync(db => db.StripeEvents.CountAsync()));
        Assert.Equal(new DisputeTotals(2_500, 1), await TotalsAsync());
    }

    [Fact]
    public async Task Fifty_concurrent_deliveries_of_one_event_post_one_set_of_entries()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 1_001), 1_001);
        var payload = payment.Completed();
        var clients = Enumerable.Range(0, 50).Select(_ => App.CreateClient()).ToArray();
        try
        {
            var responses = await Task.WhenAll(clients.Select(c => WebhookSender.SendAsync(c, payload)));

            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
            Assert.Single(bodies, b => b == "applied");
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal(2, entries.Count);
        Assert.Equal(1_001, entries.Sum(e => e.AmountPence));
        Assert.Equal(1, await App.WithDbAsync(db => db.StripeEvents.CountAsync()));
    }

    [Fact]
    public async Task Split_donation_of_an_odd_amount_posts_parts_that_add_up_to_the_penny()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 1_001), 1_001);
        using var client = App.CreateClient();

        await WebhookSender.DeliverAsync(client, payment.Completed());

        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal(601, entries.Single(e => e.BranchId == _scenario.Burton).AmountPence);
        Assert.Equal(400, entries.Single(e => e.BranchId == _scenario.Lutterworth).AmountPence);
    }

    [Fact]
    public async Task Refund_before_completion_ends_with_the_same_ledger_as_in_order()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 5_000), 5_000);
        var (_, refunded) = payment.Refund(2_000);
        using var client = App.CreateClient();

        await WebhookSender.DeliverAsync(client, refunded);
        Assert.Equal(new DisputeTotals(3_000, 1), await TotalsAsync());
        await WebhookSender.DeliverAsync(client, payment.Completed());
        await WebhookSender.DeliverAsync(client, payment.ChargeSucceeded());

        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal(2, entries.Count(e => e.Kind == LedgerEntryKind.DonationReceived));
        Assert.Equal(5_000, entries.Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
        Assert.Equal(-2_000, entries.Where(e => e.Kind == LedgerEntryKind.Refund).Sum(e => e.AmountPence));
        Assert.Equal(new DisputeTotals(3_000, 1), await TotalsAsync());
        Assert.Equal(DonationStatus.Paid, (await MoneyScenario.DonationAsync(App, payment.DonationId)).Status);
    }

    [Fact]
    public async Task Dispute_before_completion_ends_with_the_same_ledger_as_in_order()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 5_000), 5_000);
        using var client = App.CreateClient();

        // The charge is known from its own event first, as when Stripe sends charge.succeeded early.
        await WebhookSender.DeliverAsync(client, payment.ChargeSucceeded());
        await WebhookSender.DeliverAsync(client, payment.Dispute("dp_test_early", "charge.dispute.created", "needs_response", 5_000));
        await WebhookSender.DeliverAsync(client, payment.Completed());

        // The whole gift is charged back, so its donor is not counted among the supporters.
        Assert.Equal(new DisputeTotals(0, 0), await TotalsAsync());
        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal(5_000, entries.Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
        Assert.Equal(-5_000, entries.Where(e => e.Kind == LedgerEntryKind.Chargeback).Sum(e => e.AmountPence));
    }

    [Fact]
    public async Task Two_partial_refunds_adding_up_to_the_whole_bring_raised_back_to_zero_and_never_below()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 1_001), 1_001);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, payment.Completed());

        var (firstId, first) = payment.Refund(333);
        await WebhookSender.DeliverAsync(client, first);
        Assert.Equal(668, (await TotalsAsync()).RaisedPence);
        var (secondId, second) = payment.Refund(668);
        await WebhookSender.DeliverAsync(client, second);
        await WebhookSender.DeliverAsync(client, first);

        Assert.Equal(0, (await TotalsAsync()).RaisedPence);
        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal(-333, entries.Where(e => e.StripeObjectId == firstId).Sum(e => e.AmountPence));
        Assert.Equal(-668, entries.Where(e => e.StripeObjectId == secondId).Sum(e => e.AmountPence));
        foreach (var branch in new[] { _scenario.Burton, _scenario.Lutterworth })
        {
            Assert.Equal(0, entries.Where(e => e.BranchId == branch).Sum(e => e.AmountPence));
        }
    }

    [Fact]
    public async Task Dispute_won_gives_the_money_back_and_lost_keeps_it_off_the_total()
    {
        var won = new CardPayment(await _scenario.CardDonationAsync(App, 4_000), 4_000);
        var lost = new CardPayment(await _scenario.CardDonationAsync(App, 1_000, _scenario.Burton), 1_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, won.Completed());
        await WebhookSender.DeliverAsync(client, lost.Completed());

        var withdrawal = StripePayloads.BalanceTransaction("txn_test_dispute_fee", "dp_test_won", -4_000, 2_000, "adjustment");
        await WebhookSender.DeliverAsync(client, won.Dispute("dp_test_won", "charge.dispute.created", "needs_response", 4_000, withdrawal));
        await WebhookSender.DeliverAsync(client, lost.Dispute("dp_test_lost", "charge.dispute.created", "needs_response", 1_000));
        Assert.Equal(0, (await TotalsAsync()).RaisedPence);

        await WebhookSender.DeliverAsync(client, won.Dispute("dp_test_won", "charge.dispute.closed", "won", 4_000, withdrawal));
        await WebhookSender.DeliverAsync(client, lost.Dispute("dp_test_lost", "charge.dispute.closed", "lost", 1_000));

        // The lost gift went back to the card holder whole: only the donor whose chargeback was won still counts.
        Assert.Equal(new DisputeTotals(4_000, 1), await TotalsAsync());
        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal(4_000, entries.Where(e => e.Kind == LedgerEntryKind.ChargebackReversed).Sum(e => e.AmountPence));
        Assert.Equal(-1_000, entries.Where(e => e.StripeObjectId == "dp_test_lost").Sum(e => e.AmountPence));
        Assert.Equal(-2_000, entries.Where(e => e.Kind == LedgerEntryKind.ChargebackFee).Sum(e => e.AmountPence));
    }

    [Fact]
    public async Task Dispute_closed_before_it_was_opened_still_posts_the_chargeback_once()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_000), 2_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, payment.Completed());

        await WebhookSender.DeliverAsync(client, payment.Dispute("dp_test_late", "charge.dispute.closed", "lost", 2_000));
        await WebhookSender.DeliverAsync(client, payment.Dispute("dp_test_late", "charge.dispute.created", "needs_response", 2_000));

        Assert.Equal(-2_000, (await MoneyScenario.EntriesAsync(App)).Where(e => e.Kind == LedgerEntryKind.Chargeback).Sum(e => e.AmountPence));
        Assert.Equal(0, (await TotalsAsync()).RaisedPence);
    }

    public static TheoryData<int> Orders() => [.. Enumerable.Range(0, 24)];

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task Funds_withdrawn_and_reinstated_move_the_chargeback_once_in_any_order(int order)
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 3_000), 3_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, payment.Completed());
        string[] events =
        [
            payment.Dispute("dp_test_funds", "charge.dispute.created", "needs_response", 3_000),
            payment.Dispute("dp_test_funds", "charge.dispute.funds_withdrawn", "needs_response", 3_000),
            payment.Dispute("dp_test_funds", "charge.dispute.funds_reinstated", "won", 3_000),
            payment.Dispute("dp_test_funds", "charge.dispute.closed", "won", 3_000),
        ];

        foreach (var payload in Permutation(events, order))
        {
            await WebhookSender.DeliverAsync(client, payload);
        }

        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal(-3_000, entries.Where(e => e.Kind == LedgerEntryKind.Chargeback).Sum(e => e.AmountPence));
        Assert.Equal(3_000, entries.Where(e => e.Kind == LedgerEntryKind.ChargebackReversed).Sum(e => e.AmountPence));
        Assert.Equal(new DisputeTotals(3_000, 1), await TotalsAsync());
    }

    [Fact]
    public async Task Funds_withdrawn_alone_takes_the_chargeback_and_a_lost_close_takes_nothing_more()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_000), 2_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, payment.Completed());

        await WebhookSender.DeliverAsync(client, payment.Dispute("dp_test_withdrawn", "charge.dispute.funds_withdrawn", "needs_response", 2_000));
        Assert.Equal(0, (await TotalsAsync()).RaisedPence);
        await WebhookSender.DeliverAsync(client, payment.Dispute("dp_test_withdrawn", "charge.dispute.created", "needs_response", 2_000));
        await WebhookSender.DeliverAsync(client, payment.Dispute("dp_test_withdrawn", "charge.dispute.closed", "lost", 2_000));

        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal(-2_000, entries.Where(e => e.Kind == LedgerEntryKind.Chargeback).Sum(e => e.AmountPence));
        Assert.DoesNotContain(entries, e => e.Kind == LedgerEntryKind.ChargebackReversed);
    }

    private static IEnumerable<T> Permutation<T>(IReadOnlyList<T> items, int index)
    {
        var left = items.ToList();
        for (var n = left.Count; n > 0; n--)
        {
            var pick = index % n;
            index /= n;
            yield return left[pick];
            left.RemoveAt(pick);
        }
    }

    [Fact]
    public async Task Async_payment_that_fails_leaves_nothing_on_any_branch_though_its_fee_was_quoted()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_000), 2_000);
        using var client = App.CreateClient();
        var fee = StripePayloads.BalanceTransaction("txn_test_bacs_fails", payment.ChargeId, 2_000, 40);

        await WebhookSender.DeliverAsync(client, payment.Completed("unpaid"));
        await WebhookSender.DeliverAsync(client, payment.ChargePending(fee));
        await WebhookSender.DeliverAsync(client, payment.SessionEvent("checkout.session.async_payment_failed", "unpaid", "complete"));

        Assert.Equal(DonationStatus.Failed, (await MoneyScenario.DonationAsync(App, payment.DonationId)).Status);
        Assert.Empty(await MoneyScenario.EntriesAsync(App));
    }

    [Fact]
    public async Task Async_payment_posts_its_fee_once_it_is_confirmed()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_000), 2_000);
        using var client = App.CreateClient();
        var fee = StripePayloads.BalanceTransaction("txn_test_bacs_paid", payment.ChargeId, 2_000, 40);

        await WebhookSender.DeliverAsync(client, payment.Completed("unpaid"));
        await WebhookSender.DeliverAsync(client, payment.ChargePending(fee));
        Assert.Empty(await MoneyScenario.EntriesAsync(App));
        await WebhookSender.DeliverAsync(client, payment.SessionEvent("checkout.session.async_payment_succeeded", "paid", "complete"));
        await WebhookSender.DeliverAsync(client, payment.ChargeSucceeded(fee));

        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal(2_000, entries.Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
        Assert.Equal(-40, entries.Where(e => e.Kind == LedgerEntryKind.ProcessingFee).Sum(e => e.AmountPence));
    }

    [Fact]
    public async Task Inquiry_withdraws_no_money()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_000), 2_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, payment.Completed());

        await WebhookSender.DeliverAsync(client, payment.Dispute("dp_test_inquiry", "charge.dispute.created", "warning_needs_response", 2_000));

        Assert.Equal(2_000, (await TotalsAsync()).RaisedPence);
    }

    [Fact]
    public async Task Async_payment_waits_for_its_outcome_before_anything_is_raised()
    {
        var succeeds = new CardPayment(await _scenario.CardDonationAsync(App, 3_000), 3_000);
        var fails = new CardPayment(await _scenario.CardDonationAsync(App, 2_000), 2_000);
        using var client = App.CreateClient();

        await WebhookSender.DeliverAsync(client, succeeds.Completed("unpaid"));
        await WebhookSender.DeliverAsync(client, fails.Completed("unpaid"));
        Assert.Equal(DonationStatus.AwaitingPayment, (await MoneyScenario.DonationAsync(App, succeeds.DonationId)).Status);
        Assert.Equal(DisputeTotals.None, await TotalsAsync());

        await WebhookSender.DeliverAsync(client, succeeds.SessionEvent("checkout.session.async_payment_succeeded", "paid", "complete"));
        await WebhookSender.DeliverAsync(client, fails.SessionEvent("checkout.session.async_payment_failed", "unpaid", "complete"));

        Assert.Equal(DonationStatus.Paid, (await MoneyScenario.DonationAsync(App, succeeds.DonationId)).Status);
        Assert.Equal(DonationStatus.Failed, (await MoneyScenario.DonationAsync(App, fails.DonationId)).Status);
        Assert.Equal(new DisputeTotals(3_000, 1), await TotalsAsync());
    }

    [Fact]
    public async Task Expired_session_expires_a_pending_donation_but_never_a_paid_one()
    {
        var abandoned = new CardPayment(await _scenario.CardDonationAsync(App, 3_000), 3_000);
        var paid = new CardPayment(await _scenario.CardDonationAsync(App, 2_000), 2_000);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, paid.Completed());

        await WebhookSender.DeliverAsync(client, abandoned.SessionEvent("checkout.session.expired", "unpaid", "expired"));
        await WebhookSender.DeliverAsync(client, paid.SessionEvent("checkout.session.expired", "paid", "expired"));

        Assert.Equal(DonationStatus.Expired, (await MoneyScenario.DonationAsync(App, abandoned.DonationId)).Status);
        Assert.Equal(DonationStatus.Paid, (await MoneyScenario.DonationAsync(App, paid.DonationId)).Status);
    }

    [Fact]
    public async Task The_expiry_of_an_earlier_checkout_session_of_a_donation_leaves_it_waiting_for_its_current_one()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 3_000), 3_000);
        await App.WithDbAsync(db => db.Donations.Where(d => d.Id == payment.DonationId)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.StripeCheckoutSessionId, "cs_test_sent_again_a_day_later")));
        using var client = App.CreateClient();

        Assert.Equal("ignored", await WebhookSender.DeliverAsync(client, payment.SessionEvent("checkout.session.expired", "unpaid", "expired")));

        Assert.Equal(DonationStatus.Pending, (await MoneyScenario.DonationAsync(App, payment.DonationId)).Status);
    }

    [Fact]
    public async Task Fee_carried_in_the_charge_is_posted_per_branch_and_kept_out_of_raised()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 1_001), 1_001);
        using var client = App.CreateClient();
        await WebhookSender.DeliverAsync(client, payment.Completed());

        var fee = StripePayloads.BalanceTransaction("txn_test_expanded", payment.ChargeId, 1_001, 35);
        await WebhookSender.DeliverAsync(client, payment.ChargeSucceeded(fee, "charge.updated"));
        await WebhookSender.DeliverAsync(client, payment.ChargeSucceeded(fee, "charge.updated"));

        var fees = (await MoneyScenario.EntriesAsync(App)).Where(e => e.Kind == LedgerEntryKind.ProcessingFee).ToList();
        Assert.Equal(-35, fees.Sum(e => e.AmountPence));
        Assert.Equal(2, fees.Count);
        Assert.Equal(1_001, (await TotalsAsync()).RaisedPence);
    }

    [Fact]
    public async Task Webhook_for_an_unknown_donation_is_acknowledged_and_recorded_as_an_orphan()
    {
        var stranger = new CardPayment(Guid.NewGuid(), 1_500);
        using var client = App.CreateClient();

        using var response = await WebhookSender.SendAsync(client, stranger.Completed());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = await App.WithDbAsync(db => db.StripeEvents.SingleAsync());
        Assert.Equal(("unknown-donation", stranger.SessionId), (record.Outcome, record.ObjectId));
        Assert.Empty(await MoneyScenario.EntriesAsync(App));
    }

    private async Task<DisputeTotals> TotalsAsync()
    {
        await using var scope = App.Scope();
        return await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<DisputeTotalsQuery>(scope.ServiceProvider).ForDisputeAsync(_scenario.DisputeId, CancellationToken.None);
    }
}
