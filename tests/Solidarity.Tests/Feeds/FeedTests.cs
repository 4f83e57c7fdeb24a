using System.Net;
using System.Text;
using System.Xml.Linq;
using Ical.Net;
using Solidarity.Core.Disputes;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Tests.Messages;

namespace Solidarity.Tests.Feeds;

public sealed class FeedTests(PublicSiteFixture fixture) : MessagesTest(fixture)
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    private async Task<DisputeUpdate> AddUpdateAsync(Guid disputeId, string title, string body, UpdateStatus status, DateTimeOffset at)
    {
        var update = new DisputeUpdate
        {
            DisputeId = disputeId, Title = title, Body = body, AuthorName = "Unite press office", Status = status,
            PublishedAt = status == UpdateStatus.Published ? at : null, ScheduledFor = status == UpdateStatus.Scheduled ? at : null,
            CreatedAt = at.AddDays(-1),
        };
        await App.WithDbAsync(db =>
        {
            db.DisputeUpdates.Add(update);
            return db.SaveChangesAsync();
        });
        return update;
    }

    private async Task<(HttpResponseMessage Response, XDocument Feed)> GetFeedAsync(string path)
    {
        using var client = Visitor();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // Kept by a reader or a shared cache no longer than the site's own copies: seconds, not minutes.
        Assert.True(response.Headers.CacheControl?.Public);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.CacheControl?.MaxAge);
        return (response, XDocument.Parse(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task An_update_saved_with_a_control_character_before_the_forms_refused_one_leaves_the_feeds_working()
    {
        // A vertical tab and a form feed, as a paste from a slide or a word processor brings them, beside an emoji.
        await AddUpdateAsync(Argos.Id, "Rally\vtonight", "Bring\fbanners \U0001F4E3", UpdateStatus.Published, Clock.Now.AddHours(-1));

        var (_, disputeFeed) = await GetFeedAsync($"{DisputePath}/updates.atom");
        var (_, siteFeed) = await GetFeedAsync("/updates.atom");

        foreach (var feed in new[] { disputeFeed, siteFeed })
        {
            var entry = feed.Root!.Elements(Atom + "entry").First();
            Assert.EndsWith("Rallytonight", entry.Element(Atom + "title")!.Value, StringComparison.Ordinal);
            Assert.Contains("Bringbanners \U0001F4E3", entry.Element(Atom + "content")!.Value, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_control_character_saved_in_an_action_before_the_forms_refused_one_is_left_out_of_the_calendar()
    {
        // A vertical tab pasted from a word processor, beside the characters a calendar escapes.
        Assert.Equal("Picket\\, then rally\\nbring flasks", Solidarity.Web.Pages.Feeds.ActionCalendar.Escape("Picket, then\v rally\r\nbring flasks"));
    }

    [Fact]
    public async Task A_disputes_Atom_feed_has_its_published_updates_newest_first_with_stable_ids()
    {
        var strike = await AddUpdateAsync(Argos.Id, "Strike begins", "Picket lines at **six** sites.", UpdateStatus.Published, new(2026, 5, 17, 8, 30, 0, TimeSpan.Zero));
        var court = await AddUpdateAsync(Argos.Id, "High Court turns down Argos", "A <script>alert(1)</script> win & more.", UpdateStatus.Published, new(2026, 5, 19, 14, 0, 0, TimeSpan.Zero));
        await AddUpdateAsync(Argos.Id, "Draft thoughts", "d", UpdateStatus.Draft, Clock.Now.AddHours(-1));
        await AddUpdateAsync(Argos.Id, "Tomorrow's rally", "r", UpdateStatus.Scheduled, Clock.Now.AddDays(1));
        await AddUpdateAsync(Argos.Id, "Dated ahead", "f", UpdateStatus.Published, Clock.Now.AddDays(1));

        var (response, feed) = await GetFeedAsync($"{DisputePath}/updates.atom");

        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType!.MediaType);
        var root = feed.Root!;
        Assert.Equal(Atom + "feed", root.Name);
        Assert.Equal($"urn:uuid:{Argos.Id}", root.Element(Atom + "id")!.Value);
        Assert.Equal("Argos warehouse strike: news", root.Element(Atom + "title")!.Value);
        Assert.Equal("2026-05-19T14:00:00Z", root.Element(Atom + "updated")!.Value);
        var self = root.Elements(Atom + "link").Single(l => (string?)l.Attribute("rel") == "self");
        Assert.Equal($"{PublicSiteApp.BaseUrl}{DisputePath}/updates.atom", (string?)self.Attribute("href"));

        var entries = root.Elements(Atom + "entry").ToList();
        Assert.Equal([$"urn:uuid:{court.Id}", $"urn:uuid:{strike.Id}"], entries.Select(e => e.Element(Atom + "id")!.Value));
        Assert.Equal(["High Court turns down Argos", "Strike begins"], entries.Select(e => e.Element(Atom + "title")!.Value));
        var first = entries[0];
        Assert.Equal("2026-05-19T14:00:00Z", first.Element(Atom + "published")!.Value);
        Assert.Equal("2026-05-19T14:00:00Z", first.Element(Atom + "updated")!.Value);
        Assert.Equal("Unite press office", first.Element(Atom + "author")!.Element(Atom + "name")!.Value);
        Assert.Equal($"{PublicSiteApp.BaseUrl}{DisputePath}#update-{court.Id:N}", (string?)first.Element(Atom + "link")!.Attribute("href"));
        var content = first.Element(Atom + "content")!;
        Assert.Equal("html", (string?)content.Attribute("type"));
        Assert.Equal("<p>A &lt;script&gt;alert(1)&lt;/script&gt; win &amp; more.</p>", content.Value.Trim());
        Assert.Equal("<p>Picket lines at <strong>six</strong> sites.</p>", entries[1].Element(Atom + "content")!.Value.Trim());
    }

    [Fact]
    public async Task The_feed_of_all_disputes_leaves_out_unpublished_disputes()
    {
        var hidden = new Dispute
        {
            Slug = "not-yet", Title = "Not yet public", Employer = "E", UnionId = Burton.UnionId, Summary = "s", Body = "b", IsPublished = false,
        };
        await App.WithDbAsync(db =>
        {
            db.Disputes.Add(hidden);
            return db.SaveChangesAsync();
        });
        await AddUpdateAsync(hidden.Id, "Secret", "s", UpdateStatus.Published, Clock.Now.AddHours(-1));
        var shown = await AddUpdateAsync(Argos.Id, "Public news", "p", UpdateStatus.Published, Clock.Now.AddHours(-2));

        var (_, feed) = await GetFeedAsync("/updates.atom");

        var entry = Assert.Single(feed.Root!.Elements(Atom + "entry"));
        Assert.Equal(($"urn:uuid:{shown.Id}", "Argos warehouse strike: Public news"), (entry.Element(Atom + "id")!.Value, entry.Element(Atom + "title")!.Value));
        Assert.StartsWith("tag:solidarity.test,2026:", feed.Root!.Element(Atom + "id")!.Value, StringComparison.Ordinal);

        using var client = Visitor();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/disputes/not-yet/updates.atom")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/disputes/not-yet/actions.ics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/disputes/No_Such/updates.atom")).StatusCode);
    }

    [Fact]
    public async Task A_dispute_without_updates_has_a_valid_empty_feed()
    {
        var (_, feed) = await GetFeedAsync($"{DisputePath}/updates.atom");

        Assert.Empty(feed.Root!.Elements(Atom + "entry"));
        Assert.Equal("2026-05-10T11:00:00Z", feed.Root!.Element(Atom + "updated")!.Value);
    }

    [Fact]
    public async Task The_action_calendar_reads_back_with_the_strike_ending_at_05_59_London_time()
    {
        using var client = Visitor();
        using var response = await client.GetAsync($"{DisputePath}/actions.ics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();

        var calendar = Calendar.Load(text)!;

        Assert.Equal("2.0", calendar.Version);
        Assert.Equal("-//Solidarity//Action days//EN", calendar.ProductId);
        var strike = Assert.Single(calendar.Events);
        var starts = TimeZoneInfo.ConvertTimeFromUtc(strike.DtStart!.AsUtc, London);
        var ends = TimeZoneInfo.ConvertTimeFromUtc(strike.DtEnd!.AsUtc, London);
        Assert.Equal(new DateTime(2017, 5, 17, 6, 0, 0), starts);
        Assert.Equal(new DateTime(2017, 5, 31, 5, 59, 0), ends);
        Assert.Equal(StrikeEnds.UtcDateTime, strike.DtEnd.AsUtc);
        Assert.Equal("Two-week continuous strike", strike.Summary);
        Assert.Equal("Strike. Picket lines from 06:00; bring a flask, and friends.", strike.Description);
        Assert.Equal(new Uri($"{PublicSiteApp.BaseUrl}{DisputePath}"), strike.Url);
        Assert.EndsWith("@solidarity.test", strike.Uid, StringComparison.Ordinal);
        Assert.NotNull(strike.DtStamp);
    }

    [Fact]
    public async Task Calendar_lines_end_in_CRLF_and_fold_at_75_octets_without_splitting_characters()
    {
        await App.WithDbAsync(async db =>
        {
            db.DisputeActions.Add(new DisputeAction
            {
                DisputeId = Argos.Id, Kind = ActionKind.Demonstration, Title = "Rally – Solidarność with the Argos pickets ✊ " + new string('é', 40),
                Details = string.Concat(Enumerable.Repeat("Long details, with commas; and semicolons. ", 6)),
                StartsAt = new DateTimeOffset(2017, 5, 20, 10, 0, 0, TimeSpan.Zero), EndsAt = new DateTimeOffset(2017, 5, 20, 13, 0, 0, TimeSpan.Zero),
            });
            await db.SaveChangesAsync();
        });
        using var client = Visitor();
        var bytes = await client.GetByteArrayAsync($"{DisputePath}/actions.ics");
        var text = Encoding.UTF8.GetString(bytes);

        Assert.DoesNotContain("\n", text.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var lines = text.Split("\r\n")[..^1];
        Assert.All(lines, line => Assert.True(Encoding.UTF8.GetByteCount(line) <= 75, $"{Encoding.UTF8.GetByteCount(line)} octets: {line}"));
        Assert.Contains(lines, line => line.StartsWith(' '));
        Assert.DoesNotContain('\uFFFD', text);

        var rally = Calendar.Load(text)!.Events.Single(e => e.Summary!.StartsWith("Rally", StringComparison.Ordinal));
        Assert.Equal("Rally – Solidarność with the Argos pickets ✊ " + new string('é', 40), rally.Summary);
        Assert.Equal("Demonstration. " + string.Concat(Enumerable.Repeat("Long details, with commas; and semicolons. ", 6)).Trim(), rally.Description!.Trim());
    }

    [Fact]
    public async Task The_dispute_page_links_its_feeds_and_previews_with_the_total_raised()
    {
        using var client = Visitor();

        var page = await GetPageAsync(client, DisputePath);

        var atom = page.QuerySelector("head link[rel=alternate][type='application/atom+xml']")!;
        Assert.Equal($"{DisputePath}/updates.atom", atom.GetAttribute("href"));
        Assert.Equal($"{DisputePath}/actions.ics", page.QuerySelector("head link[rel=alternate][type='text/calendar']")!.GetAttribute("href"));
        Assert.NotNull(page.QuerySelector($"main a[href='{DisputePath}/actions.ics']"));
        string Meta(string selector) => page.QuerySelector(selector)!.GetAttribute("content")!;
        Assert.Equal("Argos warehouse strike", Meta("meta[property='og:title']"));
        Assert.Equal("£0 raised of £20,000 · About 1,400 warehouse workers defend their jobs.", Meta("meta[property='og:description']"));
        Assert.Equal("article", Meta("meta[property='og:type']"));
        Assert.Equal($"{PublicSiteApp.BaseUrl}{DisputePath}", Meta("meta[property='og:url']"));
        Assert.Equal("summary_large_image", Meta("meta[name='twitter:card']"));
        Assert.Equal($"{PublicSiteApp.BaseUrl}{DisputePath}/share.png", Meta("meta[property='og:image']"));
        Assert.Equal(Meta("meta[property='og:image']"), Meta("meta[name='twitter:image']"));
        Assert.Equal("Argos warehouse strike", Meta("meta[name='twitter:title']"));
        Assert.Equal(Meta("meta[property='og:description']"), Meta("meta[name='twitter:description']"));
    }

    [Theory]
    [InlineData("/")]
    [InlineData(DisputePath)]
    [InlineData(DisputePath + "/books")]
    [InlineData("/disputes/past")]
    public async Task Every_public_page_offers_the_site_wide_atom_feed(string path)
    {
        using var client = Visitor();

        var page = await GetPageAsync(client, path);

        var feeds = page.QuerySelectorAll("head link[rel=alternate][type='application/atom+xml']").Select(l => l.GetAttribute("href")).ToList();
        Assert.Contains("/updates.atom", feeds);
    }

    [Theory]
    [InlineData(DisputePath, HttpStatusCode.OK)]
    [InlineData(DisputePath + "/updates.atom", HttpStatusCode.OK)]
    [InlineData(DisputePath + "/actions.ics", HttpStatusCode.OK)]
    [InlineData(DisputePath + "/books", HttpStatusCode.OK)]
    [InlineData(DisputePath + "/books.csv", HttpStatusCode.OK)]
    [InlineData(DisputePath + "/supporters", HttpStatusCode.OK)]
    [InlineData("/disputes/no-such-dispute", HttpStatusCode.NotFound)]
    [InlineData(DisputePath + "?messages=abc", HttpStatusCode.BadRequest)]
    public async Task Pages_feeds_and_errors_carry_the_security_headers(string path, HttpStatusCode status)
    {
        using var client = Visitor();

        using var response = await client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Theory]
    [InlineData("/disputes/{0}/message")]
    [InlineData("/admin/messages")]
    [InlineData("/admin/disputes/{1}/updates/write")]
    public async Task Every_post_form_carries_an_antiforgery_token(string template)
    {
        await App.WithDbAsync(db =>
        {
            db.SupportMessages.Add(new Core.Messages.SupportMessage { DisputeId = Argos.Id, Body = "Pending", CreatedAt = Clock.Now });
            return db.SaveChangesAsync();
        });
        using var client = await AdminAsync();
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Slug, Argos.Id);

        var page = await GetPageAsync(client, path);

        var forms = page.QuerySelectorAll("main form[method=post]").ToList();
        Assert.NotEmpty(forms);
        Assert.All(forms, form => Assert.NotNull(form.QuerySelector("input[name=__RequestVerificationToken]")));
    }
}
