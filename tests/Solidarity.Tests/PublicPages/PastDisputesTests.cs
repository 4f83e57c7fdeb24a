using System.Net;
using Solidarity.Core.Disputes;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.PublicPages;

public sealed class PastDisputesTests(PublicSiteFixture fixture) : PublicSiteTest(fixture)
{
    [Fact]
    public async Task Past_disputes_lists_only_won_settled_and_lost_disputes()
    {
        await App.SeedDemoAsync();
        await TestDisputes.AddAsync(App, "settled-one", DisputeStatus.Settled);
        await TestDisputes.AddAsync(App, "lost-one", DisputeStatus.Lost);
        await TestDisputes.AddAsync(App, "suspended-one", DisputeStatus.Suspended);
        await TestDisputes.AddAsync(App, "won-but-unpublished", DisputeStatus.Won, published: false);

        var page = await GetPageAsync("/disputes/past");

        var titles = page.QuerySelectorAll("article.card h2").Select(Text).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "Dispute lost-one", "Dispute settled-one", "Millbrook care home night staff" }, titles);
        Assert.Equal("Won", Text(page.QuerySelectorAll("article.card").Single(c => Text(c.QuerySelector("h2")).StartsWith("Millbrook", StringComparison.Ordinal)).QuerySelector(".status")));
        Assert.Empty(page.QuerySelectorAll("article.card a[href$='/donate']"));
    }

    [Fact]
    public async Task Past_disputes_are_paged()
    {
        for (var i = 1; i <= 13; i++)
        {
            await TestDisputes.AddAsync(App, $"won-{i:00}", DisputeStatus.Won);
        }

        var first = await GetPageAsync("/disputes/past");
        var second = await GetPageAsync("/disputes/past?page=2");
        var (beyond, _) = await GetAsync("/disputes/past?page=3");

        Assert.Equal(12, first.QuerySelectorAll("article.card").Length);
        Assert.Equal("/disputes/past?page=2", first.QuerySelector(".pager a[rel=next]")!.GetAttribute("href"));
        Assert.Single(second.QuerySelectorAll("article.card"));
        Assert.Equal("/disputes/past?page=1", second.QuerySelector(".pager a[rel=prev]")!.GetAttribute("href"));
        Assert.Equal(HttpStatusCode.NotFound, beyond.StatusCode);
    }

    [Theory]
    [InlineData("/disputes/past?page=-1")]
    [InlineData("/disputes/past?page=abc")]
    [InlineData("/disputes/past?page=1.5")]
    [InlineData("/disputes/past?page=")]
    public async Task Bad_page_number_answers_400_not_500(string path)
    {
        var (response, page) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Bad request", Text(page.QuerySelector("h1")));
    }
}
