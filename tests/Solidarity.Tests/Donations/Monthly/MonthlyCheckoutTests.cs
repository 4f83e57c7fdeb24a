using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Tests.Ledger;
using Solidarity.Web.Pages.Admin;
using Solidarity.Web.Pages.Donations.Monthly;
using static Solidarity.Testing.HtmlPages;
using static Solidarity.Tests.Donations.Checkout.CheckoutTestData;

namespace Solidarity.Tests.Donations.Monthly;

/// <summary>Monthly giving against Stripe.net talking to the loopback stand-in for Stripe's API.</summary>
public sealed class MonthlyCheckoutTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string SessionsPath = "/v1/checkout/sessions";

    private StandInSite Site => Fixture.WithStripe;
    private StripeStandIn Stripe => Fixture.Stripe;

    public override async Task InitializeAsync()
    {
        await Site.ResetAsync();
        Stripe.Reset();
        Stripe.On("POST", SessionsPath, request => new StripeAnswer(200, new JsonObject
        {
            ["id"] = "cs_test_standin_" + request.Form["client_reference_id"].Replace("-", "", StringComparison.Ordinal),
            ["object"] = "checkout.session",
            ["mode"] = request.Form["mode"],
            ["status"] = "open",
            ["url"] = "https://checkout.stripe.com/c/pay/cs_test_standin",
        }.ToJsonString()));
    }

    private static Dictionary<string, string> MonthlyForm()
    {
        var form = ValidForm();
        form["Input.Frequency"] = "monthly";
        return form;
    }

    [Fact]
    public async Task Monthly_choice_keeps_a_pending_gift_and_starts_a_subscription_checkout_billed_monthly()
    {
        var dispute = await SeedDisputeAsync(Site);
        var form = MonthlyForm();
        form["Input.Beneficiary"] = dispute.MinorBranchId.ToString();
        form["Input.CoverFee"] = "true";

        var browser = Site.Browser();
        using var response = await browser.PostFormAsync(dispute.DonatePath, form);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(0, await Site.WithDbAsync(db => db.Donations.CountAsync()));
        var gift = await Site.WithDbAsync(db => db.MonthlyGifts.AsNoTracking().SingleAsync());
        Assert.Equal(
            (MonthlyGiftStatus.Pending, dispute.Id, (Guid?)dispute.MinorBranchId, 2_500L, 59L, DonorEmail),
            (gift.Status, gift.DisputeId, gift.ChosenBranchId, gift.AmountPence, gift.FeeCoverPence, gift.Email));
        Assert.NotNull(gift.PrivacyConsentAt);
        var fields = Assert.Single(Stripe.Requests).Form;
        var id = gift.Id.ToString();
        Assert.Equal("monthly:" + id, Stripe.Requests.Single().IdempotencyKey);
        Assert.Equal("subscription", fields["mode"]);
        Assert.Equal("card", fields["allowed_payment_method_types[0]"]);
        Assert.False(fields.ContainsKey("submit_type"));
        Assert.Equal("gbp", fields["line_items[0][price_data][currency]"]);
        Assert.Equal("2559", fields["line_items[0][price_data][unit_amount]"]);
        Assert.Equal("month", fields["line_items[0][price_data][recurring][interval]"]);
        Assert.Equal(id, fields["client_reference_id"]);
        Assert.Equal(id, fields["metadata[monthly_gift_id]"]);
        Assert.Equal(id, fields["subscription_data[metadata][monthly_gift_id]"]);
        Assert.Equal(dispute.Id.ToString(), fields["subscription_data[metadata][dispute_id]"]);
        Assert.Equal(dispute.Slug, fields["subscription_data[metadata][dispute]"]);
        Assert.Equal(dispute.MinorBranchId.ToString(), fields["subscription_data[metadata][branch]"]);
        Assert.Equal($"http://localhost/monthly/{id}/thank-you", fields["success_url"]);
        Assert.Equal(gift.StripeCheckoutSessionId, "cs_test_standin_" + gift.Id.ToString("N"));

        // Cancelled at Stripe, the giver is back at the form as they filled it in, monthly still chosen.
        Assert.Equal($"http://localhost/disputes/{dispute.Slug}/donate?cancelled={id}", fields["cancel_url"]);
        var back = await browser.GetPageAsync($"{dispute.DonatePath}?cancelled={id}");
        Assert.Equal((Solidarity.Web.Pages.Donations.DonateModel.Monthly, DonorEmail), (back.CheckedValueOf("Input.Frequency"), back.ValueOf("Input.Email")));
    }

    public static TheoryData<string, string, string, string> BadMonthlyInputs => new()
    {
        { "Input.Frequency", "weekly", "Input.Frequency", "once or every month" },
        { "Input.Frequency", "", "Input.Frequency", "once or every month" },
        { "Input.OtherAmount", "0.50", "Input.OtherAmount", "at least £1" },
        { "Input.OtherAmount", "10000.01", "Input.OtherAmount", "£10,000" },
        { "Input.Consent", "false", "Input.Consent", "privacy notice" },
        { "Input.Beneficiary", "not-a-branch", "Input.Beneficiary", "Choose one of this dispute's branches" },
    };

    [Theory]
    [MemberData(nameof(BadMonthlyInputs))]
    public async Task Monthly_choice_is_checked_like_a_one_off_gift_and_bad_input_stores_nothing_and_calls_no_one(
        string field, string value, string errorField, string message)
    {
        var dispute = await SeedDisputeAsync(Site);
        var form = MonthlyForm();
        form[field] = value;
        if (field == "Input.OtherAmount")
        {
            form["Input.Preset"] = "";
        }

        using var response = await Site.Browser().PostFormAsync(dispute.DonatePath, form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Contains(message, page.QuerySelector($"[data-valmsg-for='{errorField}']")?.TextContent ?? "", StringComparison.Ordinal);
        Assert.Equal(field == "Input.Frequency" ? null : "monthly", page.CheckedValueOf("Input.Frequency") is "monthly" ? "monthly" : null);
        Assert.Equal(0, await Site.WithDbAsync(db => db.MonthlyGifts.CountAsync()));
        Assert.Equal(0, await Site.WithDbAsync(db => db.Donations.CountAsync()));
        Assert.Empty(Stripe.Requests);
    }

    [Fact]
    public async Task Cancelling_from_the_link_cancels_the_subscription_at_Stripe_once_with_an_idempotency_key_and_a_GET_changes_nothing()
    {
        var dispute = await SeedDisputeAsync(Site);
        var stripe = new MonthlySubscription(
            await MonthlySubscription.PendingGiftAsync(Site, dispute.Id, 1_000), 1_000, dispute.Id, dispute.Slug);
        Stripe.AddSubscription(stripe.SubscriptionId, stripe.CustomerId, new Dictionary<string, string> { ["monthly_gift_id"] = stripe.GiftId.ToString() });
        Stripe.ServeSubscriptions(stripe.Render);
        using var webhooks = Site.CreateClient();
        await WebhookSender.DeliverAsync(webhooks, stripe.Completed());
        var token = await LinkAsync(stripe.GiftId);
        var browser = Site.Browser();
        var path = MonthlyGiftLinks.PathFor(token);

        Assert.Contains("If the dispute ends, the gift is paused", (await browser.GetPageAsync(path)).Body!.TextContent, StringComparison.Ordinal);
        await browser.GetPageAsync(path + "/cancel");
        Assert.DoesNotContain(Stripe.Requests, r => r.Method == "DELETE");
        Assert.Equal("active", Stripe.Subscriptions[stripe.SubscriptionId].Status);

        using var first = await browser.PostFormAsync(path + "/cancel", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);

        var cancel = Assert.Single(Stripe.Requests, r => r.Method == "DELETE");
        Assert.Equal($"/v1/subscriptions/{stripe.SubscriptionId}", cancel.Path);
        Assert.Equal($"monthly-cancel:{stripe.GiftId}", cancel.IdempotencyKey);
        Assert.Equal("canceled", Stripe.Subscriptions[stripe.SubscriptionId].Status);
        Assert.Equal(MonthlyGiftStatus.Cancelled, await Site.WithDbAsync(db => db.MonthlyGifts.Select(g => g.Status).SingleAsync()));
        Assert.DoesNotContain("If the dispute ends", (await browser.GetPageAsync(path)).Body!.TextContent, StringComparison.Ordinal);

        // Stripe's own event of the cancellation then changes nothing.
        await WebhookSender.DeliverAsync(webhooks, stripe.Deleted(DateTimeOffset.UtcNow));
        Assert.Single(await Site.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.MonthlyCancelled).ToListAsync()));
    }

    [Fact]
    public async Task Cancelling_when_Stripe_cannot_be_reached_says_so_and_changes_nothing()
    {
        var dispute = await SeedDisputeAsync(Site);
        var stripe = new MonthlySubscription(
            await MonthlySubscription.PendingGiftAsync(Site, dispute.Id, 1_000), 1_000, dispute.Id, dispute.Slug);
        Stripe.On("DELETE", $"/v1/subscriptions/{stripe.SubscriptionId}", _ => new StripeAnswer(500, """{"error":{"type":"api_error","message":"down"}}"""));
        using var webhooks = Site.CreateClient();
        await WebhookSender.DeliverAsync(webhooks, stripe.Completed());
        var token = await LinkAsync(stripe.GiftId);

        using var response = await Site.Browser().PostFormAsync(MonthlyGiftLinks.PathFor(token) + "/cancel", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("not cancelled yet", (await ParseAsync(response)).Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(MonthlyGiftStatus.Active, await Site.WithDbAsync(db => db.MonthlyGifts.Select(g => g.Status).SingleAsync()));
        Assert.Equal(0, await Site.WithDbAsync(db => db.AuditEntries.CountAsync()));
    }

    [Fact]
    public async Task Invoice_paid_without_its_payments_asks_Stripe_for_them_and_posts_the_fee_from_the_charge()
    {
        var dispute = await SeedDisputeAsync(Site);
        var stripe = new MonthlySubscription(
            await MonthlySubscription.PendingGiftAsync(Site, dispute.Id, 1_000), 1_000, dispute.Id, dispute.Slug);
        var invoice = stripe.Invoice(1);
        var expanded = JsonNode.Parse(stripe.Paid(1))!["data"]!["object"]!.AsObject();
        Stripe.On("GET", $"/v1/invoices/{invoice.Id}", _ => new StripeAnswer(200, expanded.ToJsonString()));
        var charge = StripePayloads.Charge(null, invoice.ChargeId, invoice.PaymentIntentId, 1_000, balanceTransaction: "txn_test_monthly");
        var intent = StripePayloads.PaymentIntent(Guid.Empty, invoice.PaymentIntentId, 1_000, charge);
        intent["metadata"] = new JsonObject();
        Stripe.On("GET", $"/v1/payment_intents/{invoice.PaymentIntentId}", _ => new StripeAnswer(200, intent.ToJsonString()));
        Stripe.On("GET", "/v1/balance_transactions/txn_test_monthly", _ => new StripeAnswer(
            200, StripePayloads.BalanceTransaction("txn_test_monthly", invoice.ChargeId, 1_000, 35).ToJsonString()));
        using var webhooks = Site.CreateClient();

        await WebhookSender.DeliverAsync(webhooks, stripe.Paid(1, expandedPayments: false));

        Assert.Contains(Stripe.Requests, r => r.Path == $"/v1/invoices/{invoice.Id}" && r.Query.Contains("payments", StringComparison.Ordinal));
        var donation = await Site.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync());
        Assert.Equal((invoice.PaymentIntentId, invoice.ChargeId), (donation.StripePaymentIntentId, donation.StripeChargeId));
        var entries = await Site.WithDbAsync(db => db.LedgerEntries.AsNoTracking().ToListAsync());
        Assert.Equal(1_000, entries.Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
        Assert.Equal(-35, entries.Where(e => e.Kind == LedgerEntryKind.ProcessingFee).Sum(e => e.AmountPence));
    }

    [Fact]
    public async Task A_refund_made_before_the_month_s_invoice_paid_was_applied_is_posted_with_the_payment_once()
    {
        var (stripe, invoice) = await MonthWhoseChargeIsServedAsync(charge =>
            charge["refunds"] = new JsonObject
            {
                ["object"] = "list", ["has_more"] = false, ["url"] = "/v1/refunds",
                ["data"] = new JsonArray(StripePayloads.Refund("re_test_early", charge["id"]!.GetValue<string>(), charge["payment_intent"]!.GetValue<string>(), 400, DateTimeOffset.UtcNow.ToUnixTimeSeconds())),
            },
            amountRefunded: 400);
        using var webhooks = Site.CreateClient();

        // The refund's own event finds no donation yet (an invoice's charge names none), so it posts nothing.
        Assert.Equal("ignored", await WebhookSender.DeliverAsync(webhooks, stripe.Refunded(1, "re_test_early", 400)));
        Assert.Equal("applied", await WebhookSender.DeliverAsync(webhooks, stripe.Paid(1)));

        var donation = await Site.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync());
        Assert.Equal(invoice.Id, donation.StripeInvoiceId);
        var entries = await Site.WithDbAsync(db => db.LedgerEntries.AsNoTracking().ToListAsync());
        Assert.Equal(1_000, entries.Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
        Assert.Equal(-400, entries.Where(e => e.Kind == LedgerEntryKind.Refund).Sum(e => e.AmountPence));
        Assert.All(entries, e => Assert.Equal(donation.Id, e.DonationId));
        await MoneyScenario.AssertTotalsMatchEntriesAsync(Site);

        // Stripe's later delivery of a refund event for the same refund changes nothing.
        await WebhookSender.DeliverAsync(webhooks, stripe.Refunded(1, "re_test_early", 400));
        Assert.Equal(entries.Count, await Site.WithDbAsync(db => db.LedgerEntries.CountAsync()));
    }

    [Fact]
    public async Task A_chargeback_opened_before_the_month_s_invoice_paid_was_applied_is_posted_with_the_payment_once()
    {
        var (stripe, invoice) = await MonthWhoseChargeIsServedAsync(charge => charge["disputed"] = true);
        var fee = StripePayloads.BalanceTransaction("txn_test_early_dispute", "dp_test_early", -1_000, 1_500, "adjustment");
        var dispute = StripePayloads.Dispute("dp_test_early", invoice.ChargeId, invoice.PaymentIntentId, 1_000, "needs_response", fee);
        Stripe.On("GET", "/v1/disputes", request => new StripeAnswer(200, new JsonObject
        {
            ["object"] = "list", ["has_more"] = false, ["url"] = "/v1/disputes",
            ["data"] = request.Query.Contains(invoice.ChargeId, StringComparison.Ordinal) ? new JsonArray(dispute.DeepClone()) : new JsonArray(),
        }.ToJsonString()));
        using var webhooks = Site.CreateClient();
        var opened = StripePayloads.Event("charge.dispute.created", (JsonObject)dispute.DeepClone());

        // The chargeback's own event finds no donation yet, and is listed for the admins; the payment then posts it.
        Assert.Equal("unknown-donation", await WebhookSender.DeliverAsync(webhooks, opened));
        Assert.Equal("applied", await WebhookSender.DeliverAsync(webhooks, stripe.Paid(1)));

        var entries = await Site.WithDbAsync(db => db.LedgerEntries.AsNoTracking().ToListAsync());
        Assert.Equal(1_000, entries.Where(e => e.Kind == LedgerEntryKind.DonationReceived).Sum(e => e.AmountPence));
        Assert.Equal(-1_000, entries.Where(e => e.Kind == LedgerEntryKind.Chargeback).Sum(e => e.AmountPence));
        Assert.Equal(-1_500, entries.Where(e => e.Kind == LedgerEntryKind.ChargebackFee).Sum(e => e.AmountPence));
        await MoneyScenario.AssertTotalsMatchEntriesAsync(Site);

        // Stripe's next event about the same chargeback changes nothing.
        Assert.Equal("applied", await WebhookSender.DeliverAsync(
            webhooks, StripePayloads.Event("charge.dispute.funds_withdrawn", (JsonObject)dispute.DeepClone())));
        Assert.Equal(entries.Count, await Site.WithDbAsync(db => db.LedgerEntries.CountAsync()));
    }

    /// <summary>
    /// A month's invoice at the stand-in: its payment intent with the charge (a £10 charge, fee 35p) and the charge
    /// itself, as <paramref name="amend"/> leaves it, and the charge's balance transaction.
    /// </summary>
    private async Task<(MonthlySubscription Stripe, MonthInvoice Invoice)> MonthWhoseChargeIsServedAsync(
        Action<JsonObject> amend, long amountRefunded = 0)
    {
        var dispute = await SeedDisputeAsync(Site);
        var stripe = new MonthlySubscription(
            await MonthlySubscription.PendingGiftAsync(Site, dispute.Id, 1_000), 1_000, dispute.Id, dispute.Slug);
        var invoice = stripe.Invoice(1);
        var charge = StripePayloads.Charge(null, invoice.ChargeId, invoice.PaymentIntentId, 1_000, balanceTransaction: "txn_test_monthly");
        charge["amount_refunded"] = amountRefunded;
        amend(charge);
        var intent = StripePayloads.PaymentIntent(Guid.Empty, invoice.PaymentIntentId, 1_000, charge);
        intent["metadata"] = new JsonObject();
        Stripe.On("GET", $"/v1/payment_intents/{invoice.PaymentIntentId}", _ => new StripeAnswer(200, intent.ToJsonString()));
        Stripe.On("GET", $"/v1/charges/{invoice.ChargeId}", _ => new StripeAnswer(200, charge.ToJsonString()));
        Stripe.On("GET", "/v1/balance_transactions/txn_test_monthly", _ => new StripeAnswer(
            200, StripePayloads.BalanceTransaction("txn_test_monthly", invoice.ChargeId, 1_000, 35).ToJsonString()));
        return (stripe, invoice);
    }

    /// <summary>A link to the gift, as a receipt email would carry.</summary>
    private async Task<string> LinkAsync(Guid giftId)
    {
        await using var scope = Site.Scope();
        var token = scope.ServiceProvider.GetRequiredService<MonthlyGiftLinks>().Create(giftId);
        await scope.ServiceProvider.GetRequiredService<Solidarity.Core.Data.SolidarityDbContext>().SaveChangesAsync();
        return token;
    }
}
