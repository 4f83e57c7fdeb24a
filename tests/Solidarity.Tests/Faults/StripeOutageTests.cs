using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Donations;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using static Solidarity.Testing.HtmlPages;
using static Solidarity.Tests.Donations.Checkout.CheckoutTestData;

namespace Solidarity.Tests.Faults;

/// <summary>
/// Stripe answering 5xx, or not answering in time, when the donate form creates a Checkout Session: the call is retried
/// with the donation's id as the idempotency key, then the donor is told in words that nothing was charged. The site
/// talks to a loopback stand-in for Stripe's API.
/// </summary>
public sealed class StripeOutageTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string SessionsPath = "/v1/checkout/sessions";

    private StandInSite Site => Fixture.WithStripe;
    private StripeStandIn Stripe => Fixture.Stripe;

    public override async Task InitializeAsync()
    {
        await Site.ResetAsync();
        Stripe.Reset();
    }

    [Fact]
    public async Task Stripe_failing_with_500_shows_payments_unavailable_keeps_the_form_and_leaves_the_donation_pending_after_retries_with_one_key()
    {
        Stripe.On("POST", SessionsPath, _ => new StripeAnswer(500, """{"error":{"type":"api_error","message":"Something went wrong on Stripe's end."}}"""));
        var dispute = await SeedDisputeAsync(Site);
        var form = ValidForm();
        form["Input.Message"] = "Stay strong";

        using var response = await Site.Browser().PostFormAsync(dispute.DonatePath, form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Equal(
            "Card payments are unavailable right now; nothing was charged. Please try again in a few minutes.",
            page.QuerySelector("#payments-unavailable")?.TextContent.Trim());
        Assert.Equal("2500", page.CheckedValueOf("Input.Preset"));
        Assert.Equal(DonorEmail, page.ValueOf("Input.Email"));
        Assert.Equal("Stay strong", page.ValueOf("Input.Message"));

        var donation = await Site.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync());
        Assert.Equal(DonationStatus.Pending, donation.Status);
        Assert.Null(donation.StripeCheckoutSessionId);
        var attempts = Stripe.Requests.Where(r => r.Path == SessionsPath).ToList();
        // The first attempt and the two retries Stripe.net is registered with.
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(donation.Id.ToString(), a.IdempotencyKey));
    }

    [Fact]
    public async Task Stripe_not_answering_is_abandoned_after_the_short_timeout_retried_with_one_key_and_the_donor_told_nothing_was_charged()
    {
        Stripe.On("POST", SessionsPath, request =>
        {
            // Longer than the site waits: the stand-in answers only after the site has given up on this attempt.
            Thread.Sleep(TimeSpan.FromSeconds(2.5));
            return new StripeAnswer(200, CheckoutSessionJson(request));
        });
        var dispute = await SeedDisputeAsync(Site);
        await using var impatient = Site.WithWebHostBuilder(b => b.UseSetting("Stripe:TimeoutSeconds", "1"));
        using var browser = impatient.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await browser.PostFormAsync(dispute.DonatePath, ValidForm());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Contains("nothing was charged", page.QuerySelector("#payments-unavailable")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(DonorEmail, page.ValueOf("Input.Email"));
        var donation = await Site.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync());
        Assert.Equal(DonationStatus.Pending, donation.Status);
        var attempts = Stripe.Requests.Where(r => r.Path == SessionsPath).ToList();
        Assert.True(attempts.Count >= 2, $"Expected the timed-out call to be retried; Stripe saw {attempts.Count} attempt(s).");
        Assert.All(attempts, a => Assert.Equal(donation.Id.ToString(), a.IdempotencyKey));
    }
}
