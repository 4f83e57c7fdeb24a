using Solidarity.BrowserTests.Infrastructure;

namespace Solidarity.BrowserTests;

/// <summary>
/// The public pages at desktop width, by keyboard, and from this origin only; every page at 375 px is checked by
/// <see cref="EveryPageAccessibilityTests"/>.
/// </summary>
public sealed class AccessibilityTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [ChromiumTheory]
    [InlineData("home", DesktopWidth)]
    [InlineData("argos", DesktopWidth)]
    [InlineData("books", DesktopWidth)]
    [InlineData("supporters", DesktopWidth)]
    [InlineData("chart", DesktopWidth)]
    public async Task Page_has_no_WCAG_2_1_AA_violations(string name, int width)
    {
        var page = await NewPageAsync(width);
        await OpenAsync(page, await PathOfAsync(name));

        var result = await Accessibility.RunAxeAsync(page);

        Assert.True(result.Violations.Length == 0, Accessibility.Describe(result));
        Assert.NotEmpty(result.Passes);
    }

    [ChromiumTheory]
    [InlineData("home")]
    [InlineData("argos")]
    public async Task First_Tab_reaches_the_skip_link_and_Enter_moves_focus_to_the_content(string name)
    {
        var page = await NewPageAsync();
        await OpenAsync(page, await PathOfAsync(name));

        await page.Keyboard.PressAsync("Tab");
        var focused = await page.EvaluateAsync<string[]>(
            "() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute('href') ?? '']");
        Assert.Equal(["Skip to content", "#main"], focused);
        var skipLink = await page.Locator("a[href='#main']").BoundingBoxAsync();
        Assert.True(skipLink is { Width: > 0, Height: > 0, Y: >= 0 }, "The focused skip link is not visible on screen.");

        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("() => document.activeElement.id"));
    }

    [ChromiumTheory]
    [InlineData("home")]
    [InlineData("argos")]
    [InlineData("books")]
    [InlineData("supporters")]
    public async Task Page_requests_nothing_from_other_origins(string name)
    {
        var page = await NewPageAsync();
        var origin = Site.Origin.GetLeftPart(UriPartial.Authority);
        var requested = new List<string>();
        page.Request += (_, request) => requested.Add(request.Url);

        await OpenAsync(page, await PathOfAsync(name));
        await page.WaitForLoadStateAsync(Microsoft.Playwright.LoadState.NetworkIdle);

        Assert.Contains(requested, url => url.EndsWith(".css", StringComparison.Ordinal) || url.Contains(".css?", StringComparison.Ordinal));
        var elsewhere = requested
            .Where(url => !url.StartsWith("data:", StringComparison.Ordinal))
            .Where(url => new Uri(url).GetLeftPart(UriPartial.Authority) != origin)
            .ToList();
        Assert.True(elsewhere.Count == 0, $"The page fetched from other origins: {string.Join(", ", elsewhere)}");
    }
}
