using System.Net;
using Solidarity.Core.Disputes;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Demo;

namespace Solidarity.Tests.PublicPages;

public sealed class DisputePageTests(PublicSiteFixture fixture) : PublicSiteTest(fixture)
{
    private const string ArgosPath = "/disputes/" + DemoData.ArgosSlug;

    [Fact]
    public async Task On_a_server_set_to_another_locale_the_page_still_writes_numbers_the_British_way()
    {
        await App.SeedDemoAsync();
        await using var site = App.WithWebHostBuilder(_ => { });
        site.Server.PreserveExecutionContext = true;
        using var client = site.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var before = System.Globalization.CultureInfo.CurrentCulture;
        string html;
        try
        {
            // The request runs on this flow, as it would on a server whose locale is German.
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("de-DE");
            html = await client.GetStringAsync(new Uri(ArgosPath, UriKind.Relative));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = before;
        }

        Assert.Contains("About <strong>1,400</strong> workers involved", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Argos_page_says_why_the_workers_are_out_and_where_they_work()
    {
        await App.SeedDemoAsync();

        var page = await GetPageAsync(ArgosPath);

        Assert.Equal("Argos warehouse strike", Text(page.QuerySelector("h1")));
        var why = Text(page.QuerySelector("section[aria-labelledby=why]"));
        Assert.Contains("transfer nearly 500 workers from its Lutterworth hub", why, StringComparison.Ordinal);
        Assert.True(page.QuerySelectorAll("section[aria-labelledby=why] p").Length >= 3, "The body is shown as paragraphs.");
        var towns = page.QuerySelectorAll(".workplaces li").Select(li => Text(li)).ToList();
        Assert.Equal(6, towns.Count);
        foreach (var town in new[] { "Basildon", "Bridgwater", "Burton-on-Trent", "Castleford", "Heywood", "Lutterworth" })
        {
            Assert.Contains(towns, t => t.Contains(town, StringComparison.Ordinal));
        }

        Assert.Contains(towns, t => t.Contains("Lutterworth", StringComparison.Ordinal) && t.Contains("EM0001", StringComparison.Ordinal));
        Assert.Contains(towns, t => t.Contains("Heywood", StringComparison.Ordinal) && t.Contains("WM7680", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Argos_page_shows_the_strike_in_London_time_as_happening_now()
    {
        await App.SeedDemoAsync();

        var page = await GetPageAsync(ArgosPath);

        var action = page.QuerySelector(".calendar li")!;
        Assert.Contains("phase-now", action.ClassList);
        Assert.Equal("Happening now", Text(action.QuerySelector(".phase")));
        Assert.Equal("From 06:00 Sun 10 May 2026 until 05:59 Sun 24 May 2026", Text(action.QuerySelector(".when")));
        Assert.Equal("2026-05-10T05:00:00.0000000+00:00", action.QuerySelector("time")!.GetAttribute("datetime"));
        Assert.Equal("On strike until 05:59 Sun 24 May", Text(page.QuerySelector(".now-banner")));
    }

    [Fact]
    public async Task Calendar_marks_actions_past_now_and_upcoming()
    {
        var now = TestClock.Default;
        await TestDisputes.AddAsync(App, "three-actions", DisputeStatus.TakingAction, configure: d => d.Actions.AddRange(
        [
            new DisputeAction { Kind = ActionKind.Strike, Title = "Done", StartsAt = now.AddDays(-5), EndsAt = now.AddDays(-4) },
            new DisputeAction { Kind = ActionKind.OvertimeBan, Title = "Ongoing", StartsAt = now.AddDays(-1), EndsAt = now.AddDays(1) },
            new DisputeAction { Kind = ActionKind.Strike, Title = "Coming", StartsAt = now.AddDays(4), EndsAt = now.AddDays(5) },
        ]));

        var page = await GetPageAsync("/disputes/three-actions");

        var phases = page.QuerySelectorAll(".calendar li").Select(li => (Text(li.QuerySelector("h3")), Text(li.QuerySelector(".phase")))).ToList();
        Assert.Equal(new[] { ("Done", "Past"), ("Ongoing", "Happening now"), ("Coming", "Upcoming") }, phases);
        Assert.StartsWith("Overtime ban until", Text(page.QuerySelector(".now-banner")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Argos_updates_are_newest_first_with_the_High_Court_ruling_yesterday()
    {
        await App.SeedDemoAsync();

        var page = await GetPageAsync(ArgosPath);

        var updates = page.QuerySelectorAll(".updates > li").ToList();
        Assert.Equal(2, updates.Count);
        Assert.Equal("High Court throws out Argos's bid to stop the strike", Text(updates[0].QuerySelector("h3")));
        Assert.StartsWith("Tuesday 19 May 2026", Text(updates[0].QuerySelector(".muted")), StringComparison.Ordinal);
        Assert.Equal("The strike has begun", Text(updates[1].QuerySelector("h3")));
        Assert.StartsWith("Sunday 10 May 2026", Text(updates[1].QuerySelector(".muted")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task News_shows_ten_items_a_page_and_links_to_the_older_ones()
    {
        await BusyDisputes.AddAsync(App, "busy-news");

        var first = await GetPageAsync("/disputes/busy-news");
        var older = first.QuerySelector("nav[aria-label='Pages of news'] a[rel=next]")!.GetAttribute("href")!;
        var second = await GetPageAsync(older);

        static string[] Titles(AngleSharp.Dom.IDocument page) => page.QuerySelectorAll(".updates > li h3").Select(h => h.TextContent).ToArray();
        Assert.Equal(Enumerable.Range(5, 10).Reverse().Select(i => $"News {i} of busy-news"), Titles(first));
        Assert.Equal(Enumerable.Range(1, 4).Reverse().Select(i => $"News {i} of busy-news"), Titles(second));
        Assert.EndsWith("#updates", older, StringComparison.Ordinal);
        Assert.Null(second.QuerySelector("nav[aria-label='Pages of news'] a[rel=next]"));
        Assert.Equal("/disputes/busy-news#updates", second.QuerySelector("nav[aria-label='Pages of news'] a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task An_ended_disputes_page_no_longer_asks_for_money_or_messages()
    {
        await App.SeedDemoAsync();

        var page = await GetPageAsync("/disputes/millbrook-care-night-staff");

        Assert.Null(page.QuerySelector("section[aria-labelledby=offline]"));
        Assert.DoesNotContain("Make cheques payable", Text(page.Body), StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("a[href$='/donate']"));
        Assert.Null(page.QuerySelector("a[href$='/message']"));
        Assert.Contains("Messages are read by a moderator", Text(page.QuerySelector("section[aria-labelledby=messages]")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Argos_page_says_how_to_give_offline_and_where_to_write()
    {
        await App.SeedDemoAsync();

        var page = await GetPageAsync(ArgosPath);

        var offline = page.QuerySelector("section[aria-labelledby=offline]")!;
        Assert.Contains("Make cheques payable to Unite WM7680 Hardship Fund", Text(offline), StringComparison.Ordinal);
        var addresses = offline.QuerySelectorAll("address").Select(a => Text(a)).ToList();
        Assert.Contains("Pat Example, Branch Secretary c/o Unite WM7680 PO Box 0000 Burton upon Trent DE14 9ZZ", addresses[0], StringComparison.Ordinal);
        Assert.Contains("Sam Sample, Branch Secretary", addresses[1], StringComparison.Ordinal);
        Assert.Contains("Receives 60% of donations", Text(offline), StringComparison.Ordinal);
        Assert.Contains("Receives 40% of donations", Text(offline), StringComparison.Ordinal);
        Assert.Contains("write \"Argos strike\"", Text(offline), StringComparison.Ordinal);

        var messages = page.QuerySelector("section[aria-labelledby=messages]")!;
        Assert.Equal($"{ArgosPath}/message", messages.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Argos_page_carries_the_demo_disclaimer_the_totals_and_link_previews()
    {
        await App.SeedDemoAsync();

        var page = await GetPageAsync(ArgosPath);

        Assert.Contains("replays the Argos warehouse strike of May 2017", Text(page.QuerySelector(".disclaimer")), StringComparison.Ordinal);
        Assert.Matches(@"^£[1-9][\d,]*(\.\d\d)? raised of £20,000 target", Text(page.QuerySelector(".dispute-side .raised")));
        Assert.Equal("Argos warehouse strike", page.QuerySelector("meta[property='og:title']")!.GetAttribute("content"));
        Assert.Matches(@"^£[1-9][\d,]*(\.\d\d)? raised of £20,000 · About 1,400 Argos warehouse workers", page.QuerySelector("meta[property='og:description']")!.GetAttribute("content"));
    }

    [Fact]
    public async Task A_dispute_without_a_disclaimer_shows_none()
    {
        await TestDisputes.AddAsync(App, "real-one", DisputeStatus.Balloting);

        var page = await GetPageAsync("/disputes/real-one");

        Assert.Null(page.QuerySelector(".disclaimer"));
    }

    [Fact]
    public async Task Message_page_has_the_message_form_and_where_to_write_by_post()
    {
        await App.SeedDemoAsync();

        var page = await GetPageAsync($"{ArgosPath}/message");

        Assert.Equal("Send a message of support", Text(page.QuerySelector("h1")));
        Assert.NotNull(page.QuerySelector("form.message-form textarea[name='Input.Body']"));
        Assert.Contains(page.QuerySelectorAll("address"), a => Text(a).Contains("PO Box 0000 Burton upon Trent DE14 9ZZ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/disputes/draft-dispute")]
    [InlineData("/disputes/draft-dispute/message")]
    [InlineData("/disputes/draft-dispute/books")]
    [InlineData("/disputes/draft-dispute/books.csv")]
    [InlineData("/disputes/draft-dispute/supporters")]
    public async Task Unpublished_dispute_answers_404(string path)
    {
        await TestDisputes.AddAsync(App, "draft-dispute", DisputeStatus.TakingAction, published: false);

        var (response, _) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_slug_answers_404_with_a_link_home()
    {
        var (response, page) = await GetAsync("/disputes/no-such-dispute");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Page not found", Text(page.QuerySelector("h1")));
        Assert.Contains(page.QuerySelectorAll("main a"), a => a.GetAttribute("href") == "/");
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/disputes/Argos-Warehouse-Strike")]
    [InlineData("/disputes/argos_warehouse_strike")]
    [InlineData("/disputes/argos%20strike")]
    [InlineData("/disputes/%27%3B%20DROP%20TABLE")]
    [InlineData("/disputes/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Malformed_slug_answers_404(string path)
    {
        await App.SeedDemoAsync();

        var (response, page) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Page not found", Text(page.QuerySelector("h1")));
    }
}
