using System.Net;
using Solidarity.Core.Disputes;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Demo;

namespace Solidarity.Tests.PublicPages;

public sealed class HomePageTests(PublicSiteFixture fixture) : PublicSiteTest(fixture)
{
    [Fact]
    public async Task Home_shows_the_active_Argos_strike_as_a_card_with_what_is_happening_and_the_money()
    {
        await App.SeedDemoAsync();

        var page = await GetPageAsync("/");

        var card = page.QuerySelectorAll("article.card").Single(c => Text(c.QuerySelector("h2")) == "Argos warehouse strike");
        Assert.Equal("Taking action", Text(card.QuerySelector(".status")));
        Assert.Contains("Argos · Unite the Union", Text(card.QuerySelector(".card-meta")), StringComparison.Ordinal);
        Assert.Contains("About 1,400", Text(card.QuerySelector(".facts")), StringComparison.Ordinal);
        // The clock stands at noon on Wednesday 20 May; the re-based two-week strike began ten days earlier.
        Assert.Equal("On strike until 05:59 Sun 24 May", Text(card.QuerySelector(".now-next dd")));
        // The demo's history of gifts: some pounds, from some supporters.
        Assert.Matches(@"^£[1-9][\d,]*(\.\d\d)? raised of £20,000 target [1-9]\d* supporters$", Text(card.QuerySelector(".raised")));
        var bar = card.QuerySelector("[role=progressbar]")!;
        Assert.InRange(int.Parse(bar.GetAttribute("aria-valuenow")!, System.Globalization.CultureInfo.InvariantCulture), 0, 100);
        Assert.NotNull(bar.GetAttribute("aria-label"));
        Assert.Equal("/disputes/argos-warehouse-strike/donate", card.QuerySelectorAll("a").Single(a => Text(a).StartsWith("Donate", StringComparison.Ordinal)).GetAttribute("href"));
        Assert.Equal("/disputes/argos-warehouse-strike/message", card.QuerySelectorAll("a").Single(a => Text(a).StartsWith("Send a message of support", StringComparison.Ordinal)).GetAttribute("href"));
        Assert.Equal("/disputes/argos-warehouse-strike", card.QuerySelector("h2 a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Home_lists_only_published_active_disputes()
    {
        await App.SeedDemoAsync();
        await TestDisputes.AddAsync(App, "hidden-draft", DisputeStatus.TakingAction, published: false);

        var page = await GetPageAsync("/");

        var titles = page.QuerySelectorAll("article.card h2").Select(Text).ToList();
        Assert.Equal(new[] { "Argos warehouse strike", "Brindlewick refuse collectors' pay ballot" }, titles);
    }

    [Fact]
    public async Task Card_names_the_next_action_when_none_is_under_way()
    {
        await App.SeedDemoAsync();

        var page = await GetPageAsync("/");

        var card = page.QuerySelectorAll("article.card").Single(c => Text(c.QuerySelector("h2")).StartsWith("Brindlewick", StringComparison.Ordinal));
        Assert.Equal("Balloting", Text(card.QuerySelector(".status")));
        Assert.Equal("Next: Rally outside the town hall from 12:00 Mon 25 May", Text(card.QuerySelector(".now-next dd")));
    }

    [Fact]
    public async Task Card_says_when_the_next_strike_starts_once_the_current_one_is_over()
    {
        await TestDisputes.AddAsync(App, "two-strikes", DisputeStatus.TakingAction, configure: d => d.Actions.AddRange(
        [
            new DisputeAction { Kind = ActionKind.Strike, Title = "First", StartsAt = TestClock.Default.AddDays(-3), EndsAt = TestClock.Default.AddDays(-1) },
            new DisputeAction { Kind = ActionKind.Strike, Title = "Second", StartsAt = new(2026, 6, 1, 5, 0, 0, TimeSpan.Zero), EndsAt = new(2026, 6, 2, 5, 0, 0, TimeSpan.Zero) },
        ]));

        var page = await GetPageAsync("/");

        Assert.Equal("Next: strike from 06:00 Mon 1 Jun", Text(page.QuerySelector("article.card .now-next dd")));
    }

    [Fact]
    public async Task Progress_bar_width_follows_the_share_of_the_target_raised_in_five_percent_steps()
    {
        var progress = new Solidarity.Web.Pages.Disputes.Progress(RaisedPence: 7_349_00, TargetPence: 20_000_00, Supporters: 1);

        Assert.Equal(36, progress.Percent);
        Assert.Equal("w-35", progress.WidthClass);
        Assert.Equal("1 supporter", progress.SupportersText);
        Assert.Equal("w-100", (progress with { RaisedPence = 25_000_00 }).WidthClass);
    }

    [Fact]
    public void A_target_passed_is_said_in_full_while_the_bar_stays_full()
    {
        var progress = new Solidarity.Web.Pages.Disputes.Progress(RaisedPence: 30_000_00, TargetPence: 20_000_00, Supporters: 1);

        Assert.Equal((100, 150L, "w-100"), (progress.Percent, progress.PercentOfTarget, progress.WidthClass));
        Assert.Equal(0, (progress with { RaisedPence = -5_00 }).PercentOfTarget);
    }

    [Theory]
    [InlineData("/?page=abc")]
    [InlineData("/?page=0")]
    [InlineData("/?page=99999999999999999999")]
    public async Task Bad_page_number_answers_400_not_500(string path)
    {
        var (response, document) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Bad request", Text(document.QuerySelector("h1")));
    }

    [Fact]
    public async Task Footer_has_a_sign_in_link_and_the_nav_marks_the_current_page()
    {
        var page = await GetPageAsync("/");

        Assert.Equal("/account/sign-in", page.QuerySelectorAll("footer a").Single(a => Text(a) == "Sign in").GetAttribute("href"));
        Assert.Equal("Active disputes", Text(page.QuerySelector("nav a[aria-current=page]")));
        Assert.Equal("#main", page.QuerySelector("a.skip-link")!.GetAttribute("href"));
        Assert.NotNull(page.QuerySelector("main#main"));
    }

    [Fact]
    public async Task Pages_load_no_third_party_scripts_or_styles()
    {
        await App.SeedDemoAsync();

        foreach (var path in new[] { "/", "/disputes/past", $"/disputes/{DemoData.ArgosSlug}" })
        {
            var page = await GetPageAsync(path);
            var sources = page.QuerySelectorAll("script[src], link[href], img[src]")
                .Select(e => e.GetAttribute("src") ?? e.GetAttribute("href") ?? "")
                .ToList();
            Assert.All(sources, source => Assert.StartsWith("/", source, StringComparison.Ordinal));
            Assert.Empty(page.QuerySelectorAll("script:not([src])"));
            Assert.Empty(page.QuerySelectorAll("[style]"));
        }
    }
}
