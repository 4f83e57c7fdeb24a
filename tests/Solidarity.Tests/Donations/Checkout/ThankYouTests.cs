using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Testing;
using Solidarity.Web.Pages.Receipts;
using System.Net;
using Solidarity.Core.Donations;
using Solidarity.Tests.Infrastructure;
using static Solidarity.Tests.Donations.Checkout.CheckoutTestData;

namespace Solidarity.Tests.Donations.Checkout;

public sealed class ThankYouTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public async Task Pending_donation_says_the_payment_is_being_confirmed_and_refreshes_itself()
    {
        var (dispute, id) = await DonationAsync(DonationStatus.Pending);

        var page = await DonorsBrowser(id).GetPageAsync($"/donations/{id}/thank-you?session_id=cs_test_anything");

        Assert.Equal("Thank you — your payment is being confirmed", page.QuerySelector("h1")!.TextContent.Trim());
        // Checked again every three seconds by script, never reloaded (which would lose a screen reader's place), with a
        // link to check again for a browser without script.
        Assert.Equal("3", page.QuerySelector("#payment-state")?.GetAttribute("data-waiting-seconds"));
        Assert.Equal("polite", page.QuerySelector("#payment-state")?.GetAttribute("aria-live"));
        Assert.NotNull(page.QuerySelector("script[src^='/js/waiting.js']"));
        Assert.Null(page.QuerySelector("meta[http-equiv=refresh]"));
        Assert.Contains("£25.58", page.QuerySelector("#donation-state")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(dispute.Title, page.QuerySelector("#donation-state")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("#receipt-download"));
    }

    [Fact]
    public async Task A_donation_still_unconfirmed_long_after_it_was_made_stops_refreshing_and_says_what_happens_next()
    {
        var (_, id) = await DonationAsync(DonationStatus.Pending);
        await App.WithDbAsync(db => db.Donations.Where(d => d.Id == id)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.CreatedAt, DateTimeOffset.UtcNow - Solidarity.Web.Pages.Donations.ThankYouModel.ConfirmationWait - TimeSpan.FromMinutes(1))));

        var page = await App.Browser().GetPageAsync($"/donations/{id}/thank-you");

        Assert.Empty(page.QuerySelector("#payment-state")!.GetAttribute("data-waiting-seconds") ?? "");
        Assert.Contains("has not confirmed it yet", page.QuerySelector("#donation-state")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("updates by itself", page.QuerySelector("#donation-state")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Donation_awaiting_a_delayed_payment_is_still_being_confirmed()
    {
        var (_, id) = await DonationAsync(DonationStatus.AwaitingPayment);

        var page = await App.Browser().GetPageAsync($"/donations/{id}/thank-you");

        Assert.Equal("Thank you — your payment is being confirmed", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("few working days", page.QuerySelector("#donation-state")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paid_donation_confirms_the_amount_links_to_the_dispute_and_says_where_the_receipt_will_be()
    {
        var (dispute, id) = await DonationAsync(DonationStatus.Paid);

        var page = await App.Browser().GetPageAsync($"/donations/{id}/thank-you");

        Assert.Equal("Payment confirmed", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("£25.58", (await DonorsBrowser(id).GetPageAsync($"/donations/{id}/thank-you")).QuerySelector("#donation-state")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector($"main a[href='/disputes/{dispute.Slug}']"));
        Assert.Empty(page.QuerySelector("#payment-state")!.GetAttribute("data-waiting-seconds") ?? "");
        // This browser did not make the donation, so it is told about the receipt but offered no download.
        Assert.Contains("receipt is being prepared", page.QuerySelector("#receipt-download")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector($"a[href='/donations/{id}/receipt']"));
        Assert.DoesNotContain("@example.org", page.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_browser_that_made_the_donation_is_told_its_amount_and_which_address_the_receipt_goes_to()
    {
        // A gift's id is no secret (the public list of named supporters pages by it), and its donor may have chosen to
        // keep the amount to themselves.
        var (_, id) = await DonationAsync(DonationStatus.Paid);
        using var donor = DonorsBrowser(id);

        var donorsPage = await donor.GetPageAsync($"/donations/{id}/thank-you");
        var othersPage = await App.Browser().GetPageAsync($"/donations/{id}/thank-you");

        Assert.Contains("j***@example.org", donorsPage.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains("£25.58", donorsPage.QuerySelector("#donation-state")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("@example.org", othersPage.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("£", othersPage.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("your donation for the", othersPage.QuerySelector("#donation-state")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_monthly_gifts_amount_is_shown_only_to_the_browser_that_made_it()
    {
        var dispute = await SeedDisputeAsync(App);
        var giftId = await Monthly.MonthlySubscription.PendingGiftAsync(App, dispute.Id, 1_000, email: "jo@example.org");

        using var giver = DonorsBrowser(giftId);
        using var giversResponse = await giver.GetAsync(new Uri($"/monthly/{giftId}/thank-you", UriKind.Relative));
        var givers = await HtmlForm.ParseAsync(giversResponse);
        var others = await App.Browser().GetPageAsync($"/monthly/{giftId}/thank-you");

        Assert.Contains("£10.00 a month", givers.QuerySelector("#monthly-state")!.TextContent, StringComparison.Ordinal);
        Assert.True(giversResponse.Headers.CacheControl!.NoStore);
        Assert.DoesNotContain("£", others.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Your monthly gift for the", others.QuerySelector("#monthly-state")!.TextContent, StringComparison.Ordinal);
    }

    private HttpClient DonorsBrowser(Guid donationId)
    {
        var donor = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        donor.DefaultRequestHeaders.Add("Cookie", DonorBrowserCookie(donationId));
        return donor;
    }

    [Theory]
    [InlineData(DonationStatus.Expired)]
    [InlineData(DonationStatus.Failed)]
    public async Task Expired_or_failed_donation_says_nothing_was_taken_and_offers_to_try_again(DonationStatus status)
    {
        var (dispute, id) = await DonationAsync(status);

        var page = await App.Browser().GetPageAsync($"/donations/{id}/thank-you");

        Assert.Equal("Your payment did not go through", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("nothing was taken", page.QuerySelector("#donation-state")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector($"a[href='/disputes/{dispute.Slug}/donate']"));
        Assert.Empty(page.QuerySelector("#payment-state")!.GetAttribute("data-waiting-seconds") ?? "");
    }

    [Theory]
    [InlineData(DonationStatus.Pending)]
    [InlineData(DonationStatus.Paid)]
    [InlineData(DonationStatus.Expired)]
    public async Task Thank_you_page_shows_no_private_name_or_full_email(DonationStatus status)
    {
        var (_, id) = await DonationAsync(status);

        using var response = await App.Browser().GetAsync(new Uri($"/donations/{id}/thank-you", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(DonorName, html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(DonorEmail, html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Trades Council", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_donation_answers_404()
    {
        using var response = await App.Browser().GetAsync(new Uri($"/donations/{Guid.CreateVersion7()}/thank-you", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<(SeededDispute Dispute, Guid DonationId)> DonationAsync(DonationStatus status)
    {
        var dispute = await SeedDisputeAsync(App);
        var donation = new Donation
        {
            DisputeId = dispute.Id,
            Method = DonationMethod.Card,
            Status = status,
            AmountPence = 2_500,
            FeeCoverPence = 58,
            DonorName = DonorName,
            Email = DonorEmail,
            OrganisationName = null,
            Reference = "Trades Council",
            PrivacyConsentAt = DateTimeOffset.UtcNow,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        donation.Allocations.Add(new DonationAllocation { BranchId = dispute.MajorBranchId, AmountPence = 2_558 });
        await App.WithDbAsync(async db =>
        {
            db.Donations.Add(donation);
            await db.SaveChangesAsync();
        });
        return (dispute, donation.Id);
    }

    /// <summary>The cookie the donate form leaves in the browser that made <paramref name="donationId"/>.</summary>
    private string DonorBrowserCookie(Guid donationId)
    {
        var http = new DefaultHttpContext { RequestServices = App.Services };
        App.Services.GetRequiredService<DonorBrowser>().Remember(http, donationId);
        return http.Response.Headers.SetCookie.ToString().Split(';')[0];
    }
}
