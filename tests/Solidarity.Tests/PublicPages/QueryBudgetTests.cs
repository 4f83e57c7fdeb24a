using System.Net;
using Solidarity.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Solidarity.Tests.PublicPages;

/// <summary>
/// What one uncached render of a public page costs the database, once the site is warm: a small, fixed number of
/// commands however many workplaces, branches, actions, news items and messages there are.
/// </summary>
public sealed class QueryBudgetTests(PublicSiteFixture fixture, ITestOutputHelper output) : PublicSiteTest(fixture)
{
    [Fact]
    public async Task Dispute_page_is_rendered_with_at_most_four_commands()
    {
        await BusyDisputes.AddAsync(App, "busy-dispute");

        var commands = await UncachedRenderAsync("/disputes/busy-dispute");

        Assert.True(commands.Count <= 4, Describe(commands));
    }

    [Fact]
    public async Task Home_page_is_rendered_with_at_most_three_commands()
    {
        await BusyDisputes.AddAsync(App, "busy-one");
        await BusyDisputes.AddAsync(App, "busy-two", Core.Disputes.DisputeStatus.Balloting);
        await BusyDisputes.AddAsync(App, "busy-three");

        var commands = await UncachedRenderAsync("/");

        Assert.True(commands.Count <= 3, Describe(commands));
    }

    [Fact]
    public async Task Open_books_are_rendered_with_at_most_four_commands()
    {
        await BusyDisputes.AddAsync(App, "busy-dispute");

        var commands = await UncachedRenderAsync("/disputes/busy-dispute/books");

        Assert.True(commands.Count <= 4, Describe(commands));
    }

    [Fact]
    public async Task Supporters_page_is_rendered_with_at_most_three_commands()
    {
        await BusyDisputes.AddAsync(App, "busy-dispute");

        var commands = await UncachedRenderAsync("/disputes/busy-dispute/supporters");

        Assert.True(commands.Count <= 3, Describe(commands));
    }

    [Fact]
    public async Task An_older_page_of_news_and_messages_is_found_by_seeking_not_by_counting_past_the_newer_ones()
    {
        await BusyDisputes.AddAsync(App, "busy-dispute");
        var first = await GetPageAsync("/disputes/busy-dispute");
        var olderNews = first.QuerySelector("nav[aria-label='Pages of news'] a[rel=next]")!.GetAttribute("href")!;
        var olderMessages = first.QuerySelector("nav[aria-label='Pages of messages'] a[rel=next]")!.GetAttribute("href")!;
        var path = "/disputes/busy-dispute?" + olderNews.Split('?', '#')[1] + "&" + olderMessages.Split('?', '#')[1];

        var commands = await UncachedRenderAsync(path);

        Assert.True(commands.Count <= 4, Describe(commands));
        Assert.DoesNotContain(commands, c => c.Contains("OFFSET", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Renders <paramref name="path"/> once to warm the site, empties the cache, and counts a second render.</summary>
    private async Task<IReadOnlyList<string>> UncachedRenderAsync(string path)
    {
        using var client = App.Browser();
        using var warm = (await App.GetCountingAsync(client, path)).Response;
        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        await App.EvictPublicPagesAsync();

        var (response, commands) = await App.GetCountingAsync(client, path);

        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        output.WriteLine($"{path}: {Describe(commands)}");
        return commands;
    }

    private static string Describe(IReadOnlyList<string> commands) =>
        $"{commands.Count} commands:\n\n" + string.Join("\n\n", commands);
}
