using System.Net;
using Microsoft.EntityFrameworkCore;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Stripe;
using static Solidarity.Testing.HtmlPages;
using static Solidarity.Tests.Donations.Checkout.CheckoutTestData;

namespace Solidarity.Tests.Donations.Checkout;

/// <summary>The built-in test checkout of a site without Stripe keys, its webhooks caught as they leave the site.</summary>
public sealed class TestCheckoutTests(SiteFixture fixture) : SiteTest(fixture)
{
    private TestCheckoutSite Site => Fixture.App;

    public override async Task InitializeAsync()
    {
        await Site.ResetAsync();
        Site.Webhooks.Reset();
    }

    [Fact]
    public async Task Donating_without_Stripe_keys_goes_to_the_test_checkout_marked_test_mode()
    {
        var (dispute, checkoutPath, donationId) = await StartDonationAsync();

        Assert.Matches("^/test-checkout/cs_test_local_[A-Za-z0-9]{32}$", checkoutPath);
        var page = await Site.Browser().GetPageAsync(checkoutPath);
        Assert.Equal("TEST MODE — no money moves", page.QuerySelector(".test-mode-banner")!.TextContent.Trim());
        Assert.Equal("£25.59", page.QuerySelector("#test-checkout-amount")!.TextContent.Trim());
        Assert.Contains(dispute.Title, page.QuerySelector("#test-checkout-dispute")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(
            ["Pay (test)", "Pay later (async, test)", "Decline (test)", "Cancel"],
            page.QuerySelectorAll(".test-checkout-actions")[0].QuerySelectorAll("button").Select(b => b.TextContent.Trim()));
        Assert.Equal(checkoutPath[("/test-checkout/".Length)..],
            await Site.WithDbAsync(db => db.Donations.Where(d => d.Id == donationId).Select(d => d.StripeCheckoutSessionId).SingleAsync()));
    }

    [Fact]
    public async Task Pay_sends_the_site_a_checkout_session_completed_event_signed_with_the_webhook_secret_then_goes_to_the_thank_you_page()
    {
        var (dispute, checkoutPath, donationId) = await StartDonationAsync();
        var sessionId = checkoutPath[("/test-checkout/".Length)..];

        using var response = await Site.Browser().PostFormAsync(checkoutPath + "?handler=Pay", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/donations/{donationId}/thank-you?session_id={sessionId}", response.Headers.Location?.OriginalString);
        var webhook = Assert.Single(Site.Webhooks.Received);
        Assert.Equal(HttpMethod.Post, webhook.Method);
        Assert.Equal(new Uri("http://localhost/webhooks/stripe"), webhook.Uri);
        Assert.Equal("application/json", webhook.ContentType);
        Assert.Matches(@"^t=\d+,v1=[0-9a-f]{64}$", webhook.Signature);

        var stripeEvent = EventUtility.ConstructEvent(webhook.Body, webhook.Signature, SolidarityApp.WebhookSecret);
        Assert.StartsWith("evt_", stripeEvent.Id, StringComparison.Ordinal);
        Assert.Equal("checkout.session.completed", stripeEvent.Type);
        Assert.Equal(StripeConfiguration.ApiVersion, stripeEvent.ApiVersion);
        var session = Assert.IsType<Stripe.Checkout.Session>(stripeEvent.Data.Object);
        Assert.Equal(sessionId, session.Id);
        Assert.Equal(donationId.ToString(), session.ClientReferenceId);
        Assert.Equal(donationId.ToString(), session.Metadata["donation_id"]);
        Assert.Equal(dispute.Slug, session.Metadata["dispute"]);
        Assert.Equal(2_559, session.AmountTotal);
        Assert.Equal("gbp", session.Currency);
        Assert.Equal("paid", session.PaymentStatus);
        Assert.Equal("complete", session.Status);
        Assert.Equal("payment", session.Mode);
        Assert.StartsWith("pi_test_local_", session.PaymentIntentId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_monthly_gift_paid_at_the_test_checkout_sends_the_subscription_and_its_first_paid_invoice_which_the_site_applies()
    {
        var dispute = await SeedDisputeAsync(Site);
        var form = ValidForm();
        form["Input.Frequency"] = "monthly";
        using var started = await Site.Browser().PostFormAsync(dispute.DonatePath, form);
        var checkoutPath = started.Headers.Location!.AbsolutePath;
        var giftId = await Site.WithDbAsync(db => db.MonthlyGifts.Select(g => g.Id).SingleAsync());
        Assert.Equal("£25.00 a month", (await Site.Browser().GetPageAsync(checkoutPath)).QuerySelector("#test-checkout-amount")!.TextContent.Trim());

        using var response = await Site.Browser().PostFormAsync(checkoutPath + "?handler=Pay", new Dictionary<string, string>());

        Assert.Equal($"/monthly/{giftId}/thank-you", response.Headers.Location?.OriginalString);
        var sent = Site.Webhooks.Received.ToList();
        Assert.Equal(
            ["checkout.session.completed", "invoice.paid"],
            sent.Select(w => EventUtility.ConstructEvent(w.Body, w.Signature, SolidarityApp.WebhookSecret).Type));
        var session = Assert.IsType<Stripe.Checkout.Session>(EventUtility.ParseEvent(sent[0].Body).Data.Object);
        Assert.Equal(("subscription", giftId.ToString()), (session.Mode, session.Metadata["monthly_gift_id"]));
        var invoice = Assert.IsType<Stripe.Invoice>(EventUtility.ParseEvent(sent[1].Body).Data.Object);
        Assert.Equal(session.SubscriptionId, invoice.Parent.SubscriptionDetails.SubscriptionId);

        using var client = Site.CreateClient();
        foreach (var webhook in sent)
        {
            using var delivered = await Webhooks.WebhookSender.SendRawAsync(client, webhook.Body, webhook.Signature);
            Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        }

        Assert.Equal(Solidarity.Core.Donations.MonthlyGiftStatus.Active, await Site.WithDbAsync(db => db.MonthlyGifts.Select(g => g.Status).SingleAsync()));
        var donation = await Site.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync());
        Assert.Equal((Solidarity.Core.Donations.DonationStatus.Paid, (Guid?)giftId, 2_500L), (donation.Status, donation.MonthlyGiftId, donation.ChargedPence));
        var thanks = await Site.Browser().GetPageAsync($"/monthly/{giftId}/thank-you");
        Assert.Equal("Active", thanks.QuerySelector("#monthly-state")?.GetAttribute("data-status"));
    }

    [Fact]
    public async Task Test_checkout_events_do_not_verify_with_another_secret()
    {
        var (_, checkoutPath, _) = await StartDonationAsync();

        using var response = await Site.Browser().PostFormAsync(checkoutPath + "?handler=Pay", new Dictionary<string, string>());

        var webhook = Assert.Single(Site.Webhooks.Received);
        Assert.Throws<StripeException>(() => EventUtility.ConstructEvent(webhook.Body, webhook.Signature, "whsec_someone_elses_secret"));
        Assert.Throws<StripeException>(() => EventUtility.ConstructEvent(webhook.Body.Replace("2559", "1", StringComparison.Ordinal), webhook.Signature, SolidarityApp.WebhookSecret));
    }

    [Theory]
    [InlineData("PayLater", "checkout.session.completed", "unpaid", "complete")]
    [InlineData("Settle", "checkout.session.async_payment_succeeded", "paid", "complete")]
    [InlineData("Fail", "checkout.session.async_payment_failed", "unpaid", "complete")]
    [InlineData("Expire", "checkout.session.expired", "unpaid", "expired")]
    public async Task Other_outcomes_send_the_event_Stripe_would_send(string handler, string type, string paymentStatus, string status)
    {
        var (_, checkoutPath, donationId) = await StartDonationAsync();

        using var response = await Site.Browser().PostFormAsync($"{checkoutPath}?handler={handler}", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith($"/donations/{donationId}/thank-you", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        var webhook = Assert.Single(Site.Webhooks.Received);
        var stripeEvent = EventUtility.ConstructEvent(webhook.Body, webhook.Signature, SolidarityApp.WebhookSecret);
        Assert.Equal(type, stripeEvent.Type);
        var session = Assert.IsType<Stripe.Checkout.Session>(stripeEvent.Data.Object);
        Assert.Equal((paymentStatus, status), (session.PaymentStatus, session.Status));
        Assert.Equal(donationId.ToString(), session.ClientReferenceId);
    }

    [Fact]
    public async Task Pressing_pay_twice_redelivers_the_same_event_id()
    {
        var (_, checkoutPath, _) = await StartDonationAsync();
        var client = Site.Browser();

        (await client.PostFormAsync(checkoutPath + "?handler=Pay", new Dictionary<string, string>())).Dispose();
        (await client.PostFormAsync(checkoutPath + "?handler=Pay", new Dictionary<string, string>())).Dispose();

        var ids = Site.Webhooks.Received.Select(w => EventUtility.ParseEvent(w.Body).Id).ToList();
        Assert.Equal(2, ids.Count);
        Assert.Single(ids.Distinct());
    }

    [Fact]
    public async Task Decline_stays_on_the_test_checkout_and_sends_nothing()
    {
        var (_, checkoutPath, _) = await StartDonationAsync();

        using var response = await Site.Browser().PostFormAsync(checkoutPath + "?handler=Decline", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("declined", (await ParseAsync(response)).QuerySelector("#test-checkout-outcome")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(Site.Webhooks.Received);
    }

    [Fact]
    public async Task Cancel_returns_to_the_form_filled_in_again()
    {
        var client = Site.Browser();
        var (dispute, checkoutPath, donationId) = await StartDonationAsync(client);

        using var response = await client.PostFormAsync(checkoutPath + "?handler=Cancel", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cancelPath = response.Headers.Location!.OriginalString;
        Assert.Equal($"{dispute.DonatePath}?cancelled={donationId}", cancelPath);
        var form = await client.GetPageAsync(cancelPath);
        Assert.Equal(DonorEmail, form.ValueOf("Input.Email"));
        Assert.Empty(Site.Webhooks.Received);
    }

    [Fact]
    public async Task Webhook_the_site_refuses_keeps_the_supporter_on_the_test_checkout_with_the_reason()
    {
        var (_, checkoutPath, _) = await StartDonationAsync();
        Site.Webhooks.AnswerWith = HttpStatusCode.BadRequest;

        using var response = await Site.Browser().PostFormAsync(checkoutPath + "?handler=Pay", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outcome = (await ParseAsync(response)).QuerySelector("#test-checkout-outcome")!.TextContent;
        Assert.Contains("checkout.session.completed", outcome, StringComparison.Ordinal);
        Assert.Contains("HTTP 400", outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_test_session_answers_404()
    {
        using var response = await Site.Browser().GetAsync(new Uri("/test-checkout/cs_test_local_nosuchsession", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Test_checkout_answers_404_with_a_Stripe_key_or_in_Production()
    {
        var (_, checkoutPath, _) = await StartDonationAsync();
        var sessionId = checkoutPath[("/test-checkout/".Length)..];

        await using var withKey = new StandInSite("http://127.0.0.1:9");
        await withKey.InitialiseAsync(Fixture.Server, "checkout_key");
        await using var production = new ProductionSite();
        await production.InitialiseAsync(Fixture.Server, "checkout_prod");
        foreach (var site in new SolidarityApp[] { withKey, production })
        {
            // The same pending donation and session exist there, so only the mode can explain a 404.
            var dispute = await SeedDisputeAsync(site);
            await site.WithDbAsync(async db =>
            {
                db.Donations.Add(new Core.Donations.Donation
                {
                    DisputeId = dispute.Id, Method = Core.Donations.DonationMethod.Card, AmountPence = 2_500, Email = DonorEmail,
                    StripeCheckoutSessionId = sessionId, CreatedAt = DateTimeOffset.UtcNow,
                });
                await db.SaveChangesAsync();
            });
            var client = site.Browser();

            using var get = await client.GetAsync(new Uri(checkoutPath, UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            using var post = await client.PostFormAsync(checkoutPath + "?handler=Pay", new Dictionary<string, string>(), tokenFrom: dispute.DonatePath);
            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        }

        Assert.Empty(Site.Webhooks.Received);
    }

    /// <summary>Submits a £25 donation with the fee covered and returns where the site sent the supporter to pay.</summary>
    private async Task<(SeededDispute Dispute, string CheckoutPath, Guid DonationId)> StartDonationAsync(HttpClient? browser = null)
    {
        var dispute = await SeedDisputeAsync(Site);
        var form = ValidForm();
        form["Input.CoverFee"] = "true";
        using var response = await (browser ?? Site.Browser()).PostFormAsync(dispute.DonatePath, form);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal("localhost", location.Host);
        var donationId = await Site.WithDbAsync(db => db.Donations.Select(d => d.Id).SingleAsync());
        return (dispute, location.AbsolutePath, donationId);
    }
}
