using System.Net;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;
using Solidarity.Core.Amounts;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Demo;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Admin.Money;

namespace Solidarity.Tests.PublicPages;

/// <summary>The money chart, its table, the share card and the dispute page's links to them, on the demo's history.</summary>
public sealed class MoneyChartTests(PublicSiteFixture fixture) : PublicSiteTest(fixture)
{
    private const string ArgosPath = "/disputes/" + DemoData.ArgosSlug;

    private static readonly System.Security.Claims.ClaimsPrincipal Admin = new(new System.Security.Claims.ClaimsIdentity(
        [new(System.Security.Claims.ClaimTypes.NameIdentifier, Guid.NewGuid().ToString()), new(System.Security.Claims.ClaimTypes.Email, "admin@example.org")], "test"));

    [Fact]
    public async Task Chart_is_an_svg_that_scales_to_the_page_and_names_itself()
    {
        await App.SeedDemoAsync();
        using var client = App.Browser();

        using var response = await client.GetAsync(new Uri(ArgosPath + "/chart.svg", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        var svg = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        Assert.Equal("svg", svg.Name.LocalName);
        Assert.Equal("0 0 640 360", (string?)svg.Attribute("viewBox"));
        var title = svg.Elements().Single(e => e.Name.LocalName == "title").Value;
        Assert.Contains("raised over", title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chart_table_runs_day_by_day_to_the_figure_the_dispute_page_shows()
    {
        await App.SeedDemoAsync();

        var table = await GetPageAsync(ArgosPath + "/chart");
        var page = await GetPageAsync(ArgosPath);

        var rows = table.QuerySelectorAll(".chart-table tbody tr");
        Assert.Equal(14, rows.Length); // 7 May, three days before the strike, to 20 May, today on the test clock
        var raised = Text(page.QuerySelector(".progress-block .raised strong"));
        Assert.Equal(raised, Text(rows[^1].QuerySelectorAll("td")[1]));
        Assert.Contains(rows, r => Text(r).Contains("News: High Court throws out Argos's bid", StringComparison.Ordinal));
        Assert.Contains(rows, r => Text(r).Contains("Action: Two-week continuous strike", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Money_dated_in_the_past_after_the_chart_was_drawn_shows_on_its_day()
    {
        await App.SeedDemoAsync();
        var before = await DayAsync("17 May 2026");
        var (disputeId, branchId) = await App.WithDbAsync(async db =>
        {
            var dispute = await db.Disputes.Include(d => d.Beneficiaries).SingleAsync(d => d.Slug == DemoData.ArgosSlug);
            return (dispute.Id, dispute.Beneficiaries[0].BranchId);
        });

        await using (var scope = App.Scope())
        {
            var cheque = new OfflineGift(
                Guid.CreateVersion7(), disputeId, branchId, DonationMethod.Cheque, 123_45, TestClock.Default.AddDays(-3), "Jo Payer", null, null, "cheque 100123");
            Assert.True(await scope.ServiceProvider.GetRequiredService<OfflineMoney>().RecordAsync(cheque, Admin, CancellationToken.None));
        }

        Assert.Equal(before + 123_45, await DayAsync("17 May 2026"));
        var page = await GetPageAsync(ArgosPath);
        var table = await GetPageAsync(ArgosPath + "/chart");
        Assert.Equal(Text(page.QuerySelector(".progress-block .raised strong")), Text(table.QuerySelectorAll(".chart-table tbody tr")[^1].QuerySelectorAll("td")[1]));
    }

    [Fact]
    public async Task Money_dated_in_the_past_that_nets_to_nothing_still_shows_on_its_days()
    {
        await App.SeedDemoAsync();
        var (before17, before18) = (await DayAsync("17 May 2026"), await DayAsync("18 May 2026"));
        await App.WithDbAsync(async db =>
        {
            var dispute = await db.Disputes.Include(d => d.Beneficiaries).SingleAsync(d => d.Slug == DemoData.ArgosSlug);
            var branchId = dispute.Beneficiaries[0].BranchId;

            // Recorded now, dated before today: a collection counted on the 17th, and a refund of as much on the 18th.
            db.LedgerEntries.AddRange(
                new LedgerEntry
                {
                    DisputeId = dispute.Id, BranchId = branchId, Kind = LedgerEntryKind.OfflineDonation, AmountPence = 5_00,
                    Key = "test:collection", OccurredAt = TestClock.Default.AddDays(-3),
                },
                new LedgerEntry
                {
                    DisputeId = dispute.Id, BranchId = branchId, Kind = LedgerEntryKind.Refund, AmountPence = -5_00,
                    Key = "test:refund", OccurredAt = TestClock.Default.AddDays(-2),
                });
            await db.SaveChangesAsync();
        });
        await App.EvictPublicPagesAsync();

        Assert.Equal((before17 + 5_00, before18 - 5_00), (await DayAsync("17 May 2026"), await DayAsync("18 May 2026")));
    }

    /// <summary>What the chart's table says was raised on <paramref name="day"/>, in pence.</summary>
    private async Task<long> DayAsync(string day)
    {
        var table = await GetPageAsync(ArgosPath + "/chart");
        var row = table.QuerySelectorAll(".chart-table tbody tr").Single(r => Text(r.QuerySelector("th")) == day);
        Assert.True(Money.TryParsePounds(Text(row.QuerySelectorAll("td")[0]).TrimStart('£'), out var raised));
        return raised.MinorUnits;
    }

    [Fact]
    public async Task Chart_summary_says_the_High_Court_day_was_the_biggest()
    {
        await App.SeedDemoAsync();

        var table = await GetPageAsync(ArgosPath + "/chart");

        Assert.Contains("The biggest day was 19 May 2026", Text(table.QuerySelector(".lead")), StringComparison.Ordinal);
        Assert.Equal(Text(table.QuerySelector(".lead")), table.QuerySelector(".money-chart img")!.GetAttribute("alt"));
    }

    [Fact]
    public async Task Chart_and_share_card_are_cached_under_the_dispute_so_a_payment_evicts_them()
    {
        await App.SeedDemoAsync();
        using var client = App.Browser();
        var disputeId = await App.WithDbAsync(db => Task.FromResult(db.Disputes.Single(d => d.Slug == DemoData.ArgosSlug).Id));

        foreach (var path in new[] { "/chart.svg", "/chart", "/share.png" })
        {
            using var response = await client.GetAsync(new Uri(ArgosPath + path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var cached = PublicSiteApp.CachedPagesOf(App);
        foreach (var path in new[] { "/chart.svg", "/chart", "/share.png" })
        {
            // The key ends with the path, or goes on past a separator with what the page varies by.
            var tags = cached
                .Where(p => p.Key.EndsWith(ArgosPath + path, StringComparison.Ordinal) || p.Key.Contains(ArgosPath + path + "\u001e", StringComparison.Ordinal))
                .Select(p => p.Tags)
                .LastOrDefault();
            Assert.True(tags?.Contains(PublicPageCaching.DisputeTag(disputeId)) == true, $"{path} was cached with tags {string.Join(", ", tags ?? [])}");
        }
    }

    [Fact]
    public async Task Share_card_is_a_1200_by_630_png_under_150_KB()
    {
        await App.SeedDemoAsync();
        using var client = App.Browser();

        using var response = await client.GetAsync(new Uri(ArgosPath + "/share.png", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(bytes.Length < 150 * 1024, $"The share card is {bytes.Length:N0} bytes.");
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        Assert.Equal((1200, 630), (bitmap.Width, bitmap.Height));
    }

    [Theory]
    [InlineData("/disputes/no-such-dispute/chart.svg")]
    [InlineData("/disputes/no-such-dispute/chart")]
    [InlineData("/disputes/no-such-dispute/share.png")]
    public async Task Pictures_of_a_dispute_that_does_not_exist_are_not_found(string path)
    {
        using var client = App.Browser();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Dispute_page_previews_with_the_share_card_at_an_absolute_address()
    {
        await App.SeedDemoAsync();

        var page = await GetPageAsync(ArgosPath);

        string? Meta(string selector) => page.QuerySelector(selector)?.GetAttribute("content");
        var card = Meta("meta[property='og:image']");
        Assert.Equal($"{PublicSiteApp.BaseUrl}{ArgosPath}/share.png", card);
        Assert.Equal(card, Meta("meta[name='twitter:image']"));
        Assert.Equal("summary_large_image", Meta("meta[name='twitter:card']"));
        Assert.Equal("1200", Meta("meta[property='og:image:width']"));
        Assert.Equal("630", Meta("meta[property='og:image:height']"));
    }

    [Fact]
    public async Task Dispute_page_shares_by_plain_links_and_a_link_to_copy()
    {
        await App.SeedDemoAsync();

        var page = await GetPageAsync(ArgosPath);

        var links = page.QuerySelectorAll(".share-links a").Select(a => a.GetAttribute("href")!).ToList();
        Assert.Collection(
            links,
            l => Assert.StartsWith("mailto:?subject=Argos%20warehouse%20strike&body=", l, StringComparison.Ordinal),
            l => Assert.StartsWith("https://wa.me/?text=", l, StringComparison.Ordinal),
            l => Assert.StartsWith("https://bsky.app/intent/compose?text=", l, StringComparison.Ordinal),
            l => Assert.StartsWith("https://x.com/intent/post?text=", l, StringComparison.Ordinal),
            l => Assert.StartsWith("https://www.facebook.com/sharer/sharer.php?u=", l, StringComparison.Ordinal));
        var pageUrl = Uri.EscapeDataString($"{PublicSiteApp.BaseUrl}{ArgosPath}");
        Assert.All(links, l => Assert.Contains(pageUrl, l, StringComparison.Ordinal));
        var copy = page.QuerySelector("input#share-url")!;
        Assert.True(copy.HasAttribute("readonly"));
        Assert.Equal($"{PublicSiteApp.BaseUrl}{ArgosPath}", copy.GetAttribute("value"));
        Assert.NotNull(page.QuerySelector("label[for=share-url]"));
        Assert.Empty(page.QuerySelectorAll("script[src^='http']"));
    }

    [Fact]
    public async Task Dispute_page_shows_the_chart_with_words_and_a_link_to_its_table()
    {
        await App.SeedDemoAsync();

        var page = await GetPageAsync(ArgosPath);

        var image = page.QuerySelector(".money-chart img")!;
        Assert.Equal(ArgosPath + "/chart.svg", image.GetAttribute("src"));
        var raised = Text(page.QuerySelector(".progress-block .raised strong"));
        Assert.Contains($"{raised} raised to date", image.GetAttribute("alt"), StringComparison.Ordinal);
        Assert.Equal(ArgosPath + "/chart", page.QuerySelector(".money-chart figcaption a")!.GetAttribute("href"));
    }
}
