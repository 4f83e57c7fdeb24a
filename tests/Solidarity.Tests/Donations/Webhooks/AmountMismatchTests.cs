using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Tests.Ledger;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Donations.Webhooks;

/// <summary>The ledger holds what Stripe took, so an event for another sum than the donation's posts nothing.</summary>
public sealed class AmountMismatchTests(SiteFixture fixture) : SiteTest(fixture)
{
    private MoneyScenario _scenario = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _scenario = await MoneyScenario.SeedAsync(App);
    }

    [Theory]
    [InlineData("amount")]
    [InlineData("currency")]
    public async Task Checkout_completion_for_another_sum_posts_nothing_and_is_recorded_as_a_mismatch(string differs)
    {
        var donationId = await _scenario.CardDonationAsync(App, 2_500);
        var payment = new CardPayment(donationId, differs == "amount" ? 250 : 2_500);
        var payload = payment.Completed();
        if (differs == "currency")
        {
            payload = payload.Replace("\"currency\":\"gbp\"", "\"currency\":\"eur\"", StringComparison.Ordinal);
        }

        using var client = App.CreateClient();
        Assert.Equal("amount-mismatch", await WebhookSender.DeliverAsync(client, payload));

        Assert.Empty(await MoneyScenario.EntriesAsync(App));
        Assert.Equal(DonationStatus.Pending, (await MoneyScenario.DonationAsync(App, donationId)).Status);
        var record = await App.WithDbAsync(db => db.StripeEvents.SingleAsync());
        Assert.Equal(("amount-mismatch", donationId), (record.Outcome, record.DonationId));
    }

    [Fact]
    public async Task Charge_event_for_another_amount_posts_nothing()
    {
        var donationId = await _scenario.CardDonationAsync(App, 2_500);
        var payment = new CardPayment(donationId, 2_400);
        using var client = App.CreateClient();

        var outcome = await WebhookSender.DeliverAsync(client, payment.ChargeSucceeded(StripePayloads.BalanceTransaction("txn_test_mismatch", payment.ChargeId, 2_400, 50)));

        Assert.Equal("amount-mismatch", outcome);
        Assert.Empty(await MoneyScenario.EntriesAsync(App));
        Assert.Equal(DonationStatus.Pending, (await MoneyScenario.DonationAsync(App, donationId)).Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_chargeback_on_a_payment_held_back_for_another_sum_posts_nothing_and_leaves_it_for_the_admins(bool chargeGiven)
    {
        var donationId = await _scenario.CardDonationAsync(App, 2_500);
        var payment = new CardPayment(donationId, 250);
        using var client = App.CreateClient();
        Assert.Equal("amount-mismatch", await WebhookSender.DeliverAsync(client, payment.Completed()));

        // The dispute names the donation through its charge, expanded as Stripe gives it when asked (its amount then shows the
        // mismatch), or through metadata of its own (only the earlier event held back does).
        var dispute = StripePayloads.Dispute("dp_test_mismatch", payment.ChargeId, payment.PaymentIntentId, 250, "needs_response");
        if (chargeGiven)
        {
            dispute["charge"] = StripePayloads.Charge(donationId, payment.ChargeId, payment.PaymentIntentId, 250);
        }
        else
        {
            dispute["metadata"] = new System.Text.Json.Nodes.JsonObject { ["donation_id"] = donationId.ToString() };
        }

        var outcome = await WebhookSender.DeliverAsync(client, StripePayloads.Event("charge.dispute.created", dispute));

        Assert.Equal("amount-mismatch", outcome);
        Assert.Empty(await MoneyScenario.EntriesAsync(App));
        Assert.Equal(DonationStatus.Pending, (await MoneyScenario.DonationAsync(App, donationId)).Status);
    }

    [Fact]
    public async Task A_chargeback_on_a_payment_already_confirmed_is_taken_whatever_its_charge_says()
    {
        var donationId = await _scenario.CardDonationAsync(App, 2_500);
        var payment = new CardPayment(donationId, 2_500);
        using var client = App.CreateClient();
        Assert.Equal("applied", await WebhookSender.DeliverAsync(client, payment.Completed()));

        var dispute = StripePayloads.Dispute("dp_test_confirmed", payment.ChargeId, payment.PaymentIntentId, 2_500, "needs_response");
        dispute["charge"] = StripePayloads.Charge(donationId, payment.ChargeId, payment.PaymentIntentId, 2_400);

        Assert.Equal("applied", await WebhookSender.DeliverAsync(client, StripePayloads.Event("charge.dispute.created", dispute)));
        Assert.Equal(-2_500, (await MoneyScenario.EntriesAsync(App)).Where(e => e.Kind == LedgerEntryKind.Chargeback).Sum(e => e.AmountPence));
    }

    [Fact]
    public async Task Session_that_does_not_give_its_amount_or_currency_still_posts()
    {
        var payment = new CardPayment(await _scenario.CardDonationAsync(App, 2_500), 2_500);
        var payload = payment.Completed()
            .Replace("\"amount_total\":2500", "\"amount_total\":null", StringComparison.Ordinal)
            .Replace("\"currency\":\"gbp\"", "\"currency\":null", StringComparison.Ordinal);
        Assert.Contains("\"amount_total\":null", payload, StringComparison.Ordinal);
        using var client = App.CreateClient();

        Assert.Equal("applied", await WebhookSender.DeliverAsync(client, payload));

        Assert.Equal(2_500, (await MoneyScenario.EntriesAsync(App)).Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
    }

    [Fact]
    public async Task Donation_with_the_fee_covered_matches_the_charged_total()
    {
        var donationId = await _scenario.CardDonationAsync(App, 2_500);
        await App.WithDbAsync(async db =>
        {
            var donation = await db.Donations.SingleAsync(d => d.Id == donationId);
            donation.FeeCoverPence = 58;
            await db.SaveChangesAsync();
        });
        var payment = new CardPayment(donationId, 2_558);
        using var client = App.CreateClient();

        Assert.Equal("applied", await WebhookSender.DeliverAsync(client, payment.Completed()));
        Assert.Equal(DonationStatus.Paid, (await MoneyScenario.DonationAsync(App, donationId)).Status);
    }
}
