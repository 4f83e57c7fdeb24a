using Solidarity.BrowserTests.Infrastructure;

namespace Solidarity.BrowserTests;

public sealed class PublicPagesTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [ChromiumFact]
    public async Task Supporter_opens_the_Argos_dispute_from_its_card_on_the_home_page()
    {
        var (slug, title) = await ArgosAsync();
        var page = await NewPageAsync();
        await OpenAsync(page, "/");

        var cardLink = page.Locator($"main a[href='/disputes/{slug}']").First;
        Assert.True(await cardLink.IsVisibleAsync(), $"The home page has no visible link to /disputes/{slug}.");
        await cardLink.ClickAsync();

        await page.WaitForURLAsync($"**/disputes/{slug}");
        Assert.Equal(title, (await page.Locator("h1").InnerTextAsync()).Trim());
    }

    [ChromiumTheory]
    [InlineData(DesktopWidth)]
    [InlineData(PhoneWidth)]
    public async Task Argos_page_shows_its_title_as_the_only_main_heading(int width)
    {
        var (slug, title) = await ArgosAsync();
        var page = await NewPageAsync(width);
        await OpenAsync(page, $"/disputes/{slug}");

        var headings = await page.Locator("h1").AllInnerTextsAsync();

        Assert.Equal([title], headings.Select(h => h.Trim()));
        Assert.True(await page.Locator("h1").IsVisibleAsync());
    }

    [ChromiumFact]
    public async Task Home_page_renders_with_a_heading_and_the_site_stylesheet()
    {
        var page = await NewPageAsync();
        await OpenAsync(page, "/");

        Assert.NotEmpty((await page.Locator("h1").InnerTextAsync()).Trim());
        var styleRules = await page.EvaluateAsync<int>(
            "() => [...document.styleSheets].filter(s => s.href && s.href.includes('/css/site.css')).reduce((n, s) => n + s.cssRules.length, 0)");
        Assert.True(styleRules > 0, "site.css did not load, or has no rules.");
    }

    [ChromiumTheory]
    [InlineData(DesktopWidth)]
    [InlineData(PhoneWidth)]
    public async Task Argos_page_draws_the_money_chart_and_its_share_card_is_an_image(int width)
    {
        await SeedDemoHistoryAsync();
        var (slug, _) = await ArgosAsync();
        var page = await NewPageAsync(width);
        await OpenAsync(page, $"/disputes/{slug}");

        var chart = page.Locator(".money-chart img");
        await chart.ScrollIntoViewIfNeededAsync();
        await page.WaitForFunctionAsync("() => { const img = document.querySelector('.money-chart img'); return img.complete && img.naturalWidth > 0; }");
        var box = await chart.BoundingBoxAsync();
        Assert.True(box is { Width: > 0 } && box.Width <= width, $"The chart is drawn {box?.Width}px wide in a {width}px viewport.");

        var card = await page.Locator("meta[property='og:image']").GetAttributeAsync("content");
        var response = await page.APIRequest.GetAsync(card!);
        Assert.Equal(200, response.Status);
        Assert.Equal("image/png", response.Headers["content-type"]);
    }

    [ChromiumFact]
    public async Task On_a_laptop_screen_the_side_column_of_a_dispute_page_scrolls_into_view_before_the_page_ends()
    {
        await SeedDemoHistoryAsync();
        var page = await NewPageAsync();
        await OpenAsync(page, await PathOfAsync("argos"));
        var screen = await page.EvaluateAsync<double>("() => window.innerHeight");
        var side = await page.EvaluateAsync<double>("() => document.querySelector('.dispute-side').getBoundingClientRect().height");
        var main = await page.EvaluateAsync<double>("() => document.querySelector('.dispute-main').getBoundingClientRect().height");
        Assert.True(side > screen && main > side + screen, $"The side column ({side}px) and the main one ({main}px) no longer test a screen of {screen}px.");

        // Scrolled just far enough for the column's last part (the share links) to sit at the foot of the screen,
        // well before the end of the page: a column stuck to the top of the screen would still hide it below.
        var last = "document.querySelector('.dispute-side').lastElementChild.getBoundingClientRect().bottom";
        var scrollTo = await page.EvaluateAsync<double>($"() => {last} + window.scrollY") - screen + 20;
        await page.EvaluateAsync($"() => window.scrollTo(0, {scrollTo.ToString(System.Globalization.CultureInfo.InvariantCulture)})");

        var bottom = await page.EvaluateAsync<double>($"() => {last}");
        Assert.True(bottom <= screen, $"The side column's last part ends {bottom}px down a screen of {screen}px after scrolling to {scrollTo}px.");
    }
}
