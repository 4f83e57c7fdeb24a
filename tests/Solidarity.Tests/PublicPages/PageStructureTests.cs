using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Demo;

namespace Solidarity.Tests.PublicPages;

public sealed class PageStructureTests(PublicSiteFixture fixture) : PublicSiteTest(fixture)
{
    [Fact]
    public async Task Every_public_page_has_one_h1_a_language_and_a_title()
    {
        await App.SeedDemoAsync();
        string[] paths =
        [
            "/", "/disputes/past", $"/disputes/{DemoData.ArgosSlug}", $"/disputes/{DemoData.ArgosSlug}/message",
            $"/disputes/{DemoData.ArgosSlug}/books", $"/disputes/{DemoData.ArgosSlug}/supporters",
            "/disputes/brindlewick-refuse-collectors", "/disputes/millbrook-care-night-staff",
            "/disputes/no-such-dispute", "/?page=abc", "/error", PublicSiteApp.ThrowingPath,
        ];

        foreach (var path in paths)
        {
            var (_, page) = await GetAsync(path);

            Assert.True(page.QuerySelectorAll("h1").Length == 1, $"{path} has {page.QuerySelectorAll("h1").Length} h1 elements");
            Assert.Equal("en-GB", page.DocumentElement.GetAttribute("lang"));
            Assert.EndsWith("· Solidarity", page.Title, StringComparison.Ordinal);
            Assert.NotNull(page.QuerySelector("meta[name=viewport]"));
        }
    }
}
