using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Donations;
using static Solidarity.Testing.HtmlPages;
using static Solidarity.Tests.Donations.Checkout.CheckoutTestData;

namespace Solidarity.Tests.Donations.Checkout;

/// <summary>The donate form starts only so many Checkout Sessions per client, per email address and for the whole site.</summary>
public sealed class CheckoutLimitTests(SiteFixture fixture) : SiteTest(fixture)
{
    private WebApplicationFactory<Program> _site = default!;
    private SeededDispute _dispute = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _dispute = await SeedDisputeAsync(App);
        _site = App.WithWebHostBuilder(b =>
        {
            b.UseSetting("Donations:SessionsPerClientPerHour", "3");
            b.UseSetting("Donations:SessionsPerEmailPerHour", "2");
            b.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, ClientAddress>());
        });
    }

    public override async Task DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task Past_the_limit_for_one_client_the_form_answers_429_in_words_keeps_what_was_typed_and_stores_nothing()
    {
        using var client = _site.ClientAt("192.0.2.50");
        for (var i = 1; i <= 3; i++)
        {
            using var started = await client.DonateAsync(_dispute, $"donor{i}@example.org");
            Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        }

        using var refused = await client.DonateAsync(_dispute, "donor4@example.org");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        var page = await ParseAsync(refused);
        Assert.Contains("Nothing was charged", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal("donor4@example.org", page.ValueOf("Input.Email"));
        Assert.Equal(DonorName, page.ValueOf("Input.DonorName"));
        Assert.Equal(3, await App.WithDbAsync(db => db.Donations.CountAsync()));

        using var elsewhere = _site.ClientAt("192.0.2.51");
        using var fromAnotherClient = await elsewhere.DonateAsync(_dispute, "donor5@example.org");
        Assert.Equal(HttpStatusCode.SeeOther, fromAnotherClient.StatusCode);
    }

    [Fact]
    public async Task Each_paid_gift_lets_its_client_start_one_more_session_so_a_crowd_on_one_address_can_go_on_giving()
    {
        using var venue = _site.ClientAt("192.0.2.60");
        var started = new List<Guid>();
        for (var i = 1; i <= 3; i++)
        {
            using var response = await venue.DonateAsync(_dispute, $"crowd{i}@example.org");
            Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
            started.Add(await App.WithDbAsync(db => db.Donations.Where(d => d.Email == $"crowd{i}@example.org").Select(d => d.Id).SingleAsync()));
        }

        // Two of the three are paid: two more may start, and then the limit holds again.
        using var webhooks = _site.CreateClient();
        foreach (var donation in started.Take(2))
        {
            var charged = await App.WithDbAsync(db => db.Donations.Where(d => d.Id == donation).Select(d => d.AmountPence + d.FeeCoverPence).SingleAsync());
            Assert.Equal("applied", await WebhookSender.DeliverAsync(webhooks, new CardPayment(donation, charged).Completed()));
        }

        for (var i = 4; i <= 5; i++)
        {
            using var allowed = await venue.DonateAsync(_dispute, $"crowd{i}@example.org");
            Assert.Equal(HttpStatusCode.SeeOther, allowed.StatusCode);
        }

        using var refused = await venue.DonateAsync(_dispute, "crowd6@example.org");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    [Fact]
    public async Task One_email_address_starts_only_so_many_sessions_whichever_client_it_comes_from()
    {
        for (var i = 1; i <= 2; i++)
        {
            using var client = _site.ClientAt($"192.0.2.{60 + i}");
            using var started = await client.DonateAsync(_dispute, "Same.Person@example.org");
            Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        }

        using var third = _site.ClientAt("192.0.2.63");
        using var refused = await third.DonateAsync(_dispute, "same.person@example.org");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(2, await App.WithDbAsync(db => db.Donations.CountAsync()));
    }

    [Fact]
    public async Task Attempts_one_clients_limit_refuses_take_none_of_the_sites_so_other_donors_still_get_through()
    {
        await using var site = App.WithWebHostBuilder(b =>
        {
            b.UseSetting("Donations:SessionsPerClientPerHour", "1");
            b.UseSetting("Donations:SessionsPerSitePerMinute", "3");
            b.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, ClientAddress>());
        });
        using var script = site.ClientAt("192.0.2.80");
        for (var i = 0; i < 6; i++)
        {
            using var response = await script.DonateAsync(_dispute, $"script{i}@example.org");
            Assert.Equal(i == 0 ? HttpStatusCode.SeeOther : HttpStatusCode.TooManyRequests, response.StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            using var donor = site.ClientAt($"192.0.2.{90 + i}");
            using var started = await donor.DonateAsync(_dispute, $"donor{i}@example.org");
            Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        }

        // The site's three are taken now, by three donors: the limit still holds for everyone.
        using var fourth = site.ClientAt("192.0.2.99");
        using var refused = await fourth.DonateAsync(_dispute, "donor9@example.org");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    [Fact]
    public async Task A_refused_form_is_not_counted_against_anyone()
    {
        using var client = _site.ClientAt("192.0.2.70");
        var invalid = ValidForm();
        invalid["Input.Consent"] = "false";
        for (var i = 0; i < 5; i++)
        {
            using var refused = await client.PostFormAsync(_dispute.DonatePath, invalid);
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        }

        using var started = await client.DonateAsync(_dispute, "valid@example.org");
        Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
    }
}
