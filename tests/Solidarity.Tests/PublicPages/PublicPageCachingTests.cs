using System.Net;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Mvc.Testing;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Tests.Ledger;
using Solidarity.Web.Infrastructure.Hosting;

namespace Solidarity.Tests.PublicPages;

/// <summary>
/// Anonymous reads of the public pages come from each process's output cache for at most five seconds; nothing a
/// signed-in user or a single donor sees is cached; an admin's change is seen at once in the process that made it.
/// A page served from the cache sends no SQL, which is how these tests tell a cached answer from a rendered one.
/// </summary>
public sealed class PublicPageCachingTests(PublicSiteFixture fixture) : PublicSiteTest(fixture)
{
    private const string DisputePath = "/disputes/argos-warehouse-strike";

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_second_anonymous_visit_within_the_lifetime_is_served_from_the_cache()
    {
        await MoneyScenario.SeedAsync(App);
        using var client = App.Browser();

        var (first, rendered) = await App.GetCountingAsync(client, DisputePath);
        var (second, cached) = await App.GetCountingAsync(client, DisputePath);

        using (first)
        using (second)
        {
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
            Assert.NotEmpty(rendered);
            Assert.Empty(cached);
            Assert.NotNull(second.Headers.Age);
            Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/disputes/past")]
    [InlineData(DisputePath)]
    [InlineData(DisputePath + "/updates.atom")]
    [InlineData(DisputePath + "/actions.ics")]
    [InlineData(DisputePath + "/books")]
    [InlineData(DisputePath + "/books.csv")]
    [InlineData(DisputePath + "/supporters")]
    [InlineData("/updates.atom")]
    public async Task Every_public_page_and_feed_is_cached_for_anonymous_visitors(string path)
    {
        await MoneyScenario.SeedAsync(App);
        using var client = App.Browser();
        using var _ = (await App.GetCountingAsync(client, path)).Response;

        var (response, commands) = await App.GetCountingAsync(client, path);

        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(commands);
        }
    }

    [Fact]
    public async Task Query_strings_a_page_does_not_read_and_other_spellings_of_those_it_does_are_served_its_cached_copy()
    {
        await MoneyScenario.SeedAsync(App);
        using var client = App.Browser();
        foreach (var path in new[] { "/?page=1", DisputePath, DisputePath + "/chart.svg" })
        {
            using var _ = (await App.GetCountingAsync(client, path)).Response;
        }

        // Made-up query strings could otherwise bypass the cache at will, and fill it.
        foreach (var path in new[] { "/?page=001", "/?page=1&utm_source=x", DisputePath + "?page=7", DisputePath + "/chart.svg?page=2" })
        {
            var (response, commands) = await App.GetCountingAsync(client, path);
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Empty(commands);
            }
        }
    }

    [Fact]
    public async Task With_the_sites_address_configured_another_Host_header_is_served_the_cached_copy()
    {
        await MoneyScenario.SeedAsync(App);
        await using var site = App.WithWebHostBuilder(b => b.UseSetting(SiteAddress.Setting, "https://solidarity.example.org"));
        using var client = site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var _ = (await PublicSiteApp.GetCountingAsync(site, client, DisputePath)).Response;

        client.DefaultRequestHeaders.Host = "made-up.example";
        var (response, commands) = await PublicSiteApp.GetCountingAsync(site, client, DisputePath);

        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(commands);
        }
    }

    [Fact]
    public async Task A_cached_page_does_not_answer_for_a_spelling_of_its_address_the_site_refuses()
    {
        await MoneyScenario.SeedAsync(App);
        using var client = App.Browser();
        using var cached = (await App.GetCountingAsync(client, DisputePath)).Response;

        var (response, _) = await App.GetCountingAsync(client, DisputePath.ToUpperInvariant());

        using (response)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_cached_page_carries_the_security_headers()
    {
        await MoneyScenario.SeedAsync(App);
        using var client = App.Browser();
        using var _ = (await App.GetCountingAsync(client, DisputePath)).Response;

        var (response, commands) = await App.GetCountingAsync(client, DisputePath);

        using (response)
        {
            Assert.Empty(commands);
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
            Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        }
    }

    [Fact]
    public async Task A_signed_in_admin_is_neither_served_a_cached_page_nor_leaves_one_behind()
    {
        await MoneyScenario.SeedAsync(App);
        var (admin, _) = await SignIn.AsAdminAsync(App);
        using (admin)
        using (var anonymous = App.Browser())
        {
            var (adminFirst, adminRendered) = await App.GetCountingAsync(admin, DisputePath);
            var (visitorFirst, visitorRendered) = await App.GetCountingAsync(anonymous, DisputePath);
            var (visitorSecond, visitorCached) = await App.GetCountingAsync(anonymous, DisputePath);
            var (adminSecond, adminRenderedAgain) = await App.GetCountingAsync(admin, DisputePath);

            using (adminFirst)
            using (visitorFirst)
            using (visitorSecond)
            using (adminSecond)
            {
                Assert.All([adminFirst, visitorFirst, visitorSecond, adminSecond], r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
                Assert.NotEmpty(adminRendered);
                Assert.NotEmpty(visitorRendered);
                Assert.Empty(visitorCached);
                Assert.NotEmpty(adminRenderedAgain);
                Assert.Null(adminSecond.Headers.Age);
            }
        }
    }

    [Fact]
    public async Task An_admin_known_by_another_scheme_than_the_cookie_is_not_served_from_the_cache_either()
    {
        await MoneyScenario.SeedAsync(App);
        await using var site = AdminSite.For(App);
        using var anonymous = site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var admin = site.AdminClient();
        using var _ = (await PublicSiteApp.GetCountingAsync(site, anonymous, DisputePath)).Response;

        var (response, commands) = await PublicSiteApp.GetCountingAsync(site, admin, DisputePath);

        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotEmpty(commands);
        }
    }

    [Fact]
    public async Task The_thank_you_page_is_never_cached_and_reports_a_confirmation_at_once()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        var payment = new CardPayment(await scenario.CardDonationAsync(App, 2_500), 2_500);
        var path = $"/donations/{payment.DonationId}/thank-you";
        using var client = App.Browser();

        var (pending, pendingCommands) = await App.GetCountingAsync(client, path);
        using (var webhook = App.CreateClient())
        using (var delivered = await WebhookSender.SendAsync(webhook, payment.Completed(), signedAt: App.Clock.Now))
        {
            Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        }

        var (confirmed, confirmedCommands) = await App.GetCountingAsync(client, path);

        using (pending)
        using (confirmed)
        {
            Assert.NotEmpty(pendingCommands);
            Assert.NotEmpty(confirmedCommands);
            Assert.Null(confirmed.Headers.Age);

            // Nor by a browser's or a proxy's cache: what it shows depends on the donor's cookie.
            Assert.All([pending, confirmed], r => Assert.True(r.Headers.CacheControl is { NoStore: true, Private: true }, $"Cache-Control: {r.Headers.CacheControl}"));
            var page = new HtmlParser().ParseDocument(await confirmed.Content.ReadAsStringAsync());
            Assert.Equal("Payment confirmed", page.QuerySelector("h1")!.TextContent.Trim());
        }

        Assert.DoesNotContain(PublicSiteApp.CachedPagesOf(App), stored => stored.Key.Contains("thank-you", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_admin_publishing_an_update_evicts_the_dispute_page_at_once_in_that_process()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        await using var site = App.WithWebHostBuilder(_ => { });
        using var visitor = site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var admin = (await SignIn.AsAdminAsync(site, "treasurer@example.org")).Client;
        using var _ = (await PublicSiteApp.GetCountingAsync(site, visitor, DisputePath)).Response;
        var (cached, cachedCommands) = await PublicSiteApp.GetCountingAsync(site, visitor, DisputePath);
        cached.Dispose();
        Assert.Empty(cachedCommands);

        using var published = await admin.PostFormAsync(
            $"/admin/disputes/{scenario.DisputeId}/updates/write", [new("Input.Title", "Picket lines doubled"), new("Input.Body", "Day two.")], "Publish");

        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        var (response, commands) = await PublicSiteApp.GetCountingAsync(site, visitor, DisputePath);
        using (response)
        {
            Assert.NotEmpty(commands);
            var page = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
            Assert.Equal(["Picket lines doubled"], page.QuerySelectorAll(".update h3").Select(h => h.TextContent));
        }
    }

    [Fact]
    public async Task Pages_are_kept_for_at_most_five_seconds_and_tagged_with_their_dispute()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        using var client = App.Browser();
        var storedBefore = PublicSiteApp.CachedPagesOf(App).Count;

        using var _ = (await App.GetCountingAsync(client, DisputePath)).Response;

        Assert.True(PublicPageCaching.Lifetime <= TimeSpan.FromSeconds(5), $"The configured lifetime is {PublicPageCaching.Lifetime}.");
        var stored = Assert.Single(PublicSiteApp.CachedPagesOf(App).Skip(storedBefore));
        Assert.Contains(DisputePath, stored.Key, StringComparison.OrdinalIgnoreCase);
        Assert.InRange(stored.ValidFor, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5));
        Assert.Contains(PublicPageCaching.DisputeTag(scenario.DisputeId), stored.Tags);
    }

    [Fact]
    public async Task A_donation_confirmed_through_one_process_shows_on_another_processes_page_within_its_lifetime()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        var payment = new CardPayment(await scenario.CardDonationAsync(App, 2_500), 2_500);
        await using var other = new PublicSiteApp(Smtp.Port);
        other.ShareDatabaseOf(App);
        other.Clock.Now = App.Clock.Now;
        using var visitor = other.Browser();
        Assert.Contains("£0 raised", await RaisedAsync(visitor), StringComparison.Ordinal);
        var (cached, cachedCommands) = await other.GetCountingAsync(visitor, DisputePath);
        cached.Dispose();
        Assert.Empty(cachedCommands);

        using (var webhook = App.CreateClient())
        using (var delivered = await WebhookSender.SendAsync(webhook, payment.Completed(), signedAt: App.Clock.Now))
        {
            Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        }

        // Polled rather than timed: the guarantee is the other process's lifetime, checked below, not this machine's speed.
        var started = DateTimeOffset.UtcNow;
        var raised = await RaisedAsync(visitor);
        while (!raised.Contains("£25 raised", StringComparison.Ordinal) && DateTimeOffset.UtcNow - started < Within)
        {
            await Task.Delay(250);
            raised = await RaisedAsync(visitor);
        }

        Assert.Contains("£25 raised", raised, StringComparison.Ordinal);
        var stored = PublicSiteApp.CachedPagesOf(other).Where(p => p.Key.Contains(DisputePath, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.NotEmpty(stored);
        Assert.All(stored, p => Assert.InRange(p.ValidFor, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5)));
    }

    private static async Task<string> RaisedAsync(HttpClient visitor)
    {
        using var response = await visitor.GetAsync(new Uri(DisputePath, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        return Squash(page.QuerySelector(".dispute-side .raised")?.TextContent);
    }
}
