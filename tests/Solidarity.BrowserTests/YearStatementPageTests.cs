using Solidarity.BrowserTests.Infrastructure;

namespace Solidarity.BrowserTests;

/// <summary>The statement request page at 375 px, in each state a supporter meets: refused in words, and sent.</summary>
public sealed class YearStatementPageTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private const string Path = "/receipts/statement";

    [ChromiumFact]
    public async Task Its_errors_and_its_answer_have_no_WCAG_2_1_AA_violations_and_fit_375px()
    {
        var page = await NewPageAsync(PhoneWidth);
        await OpenAsync(page, Path);

        await page.FillAsync("#statement-email", "jo@example");
        await page.FillAsync("#statement-year", "1999");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#statement-errors");
        await AssertAccessibleAndNarrowAsync(page);
        Assert.Equal("true", await page.GetAttributeAsync("#statement-email", "aria-invalid"));
        Assert.Equal("jo@example", await page.InputValueAsync("#statement-email"));

        await page.FillAsync("#statement-email", "jo@example.org");
        await page.FillAsync("#statement-year", DateTime.UtcNow.Year.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#statement-sent");
        await AssertAccessibleAndNarrowAsync(page);
    }

    private static async Task AssertAccessibleAndNarrowAsync(Microsoft.Playwright.IPage page)
    {
        var result = await Accessibility.RunAxeAsync(page);
        Assert.True(result.Violations.Length == 0, Accessibility.Describe(result));
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"{widths[0]}px wide in a {widths[1]}px viewport");
    }
}
