using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Solidarity.BrowserTests.Infrastructure;
using Solidarity.Core.Donations;
using Solidarity.Web.Pages.Admin.Money;
using static Microsoft.Playwright.Assertions;

namespace Solidarity.BrowserTests;

/// <summary>
/// A supporter reads who has given to the Argos strike and where the money went: from the dispute's page (its newest
/// named supporters) to its supporters, on to its open books, where the figures add up to what is held and the money
/// over time is drawn, and back to the dispute's page, whose share card is an image.
/// </summary>
public sealed class OpenBooksJourneyTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [ChromiumTheory]
    [InlineData(DesktopWidth)]
    [InlineData(PhoneWidth)]
    public async Task Supporter_goes_from_the_dispute_page_to_its_supporters_the_open_books_and_the_share_card(int width)
    {
        var (slug, title) = await ArgosAsync();
        await CollectionAsync("Momentum South Birmingham", 12_345);
        await CollectionAsync(null, 2_000);
        var page = await NewPageAsync(width);
        await OpenAsync(page, $"/disputes/{slug}");
        await Expect(page.Locator("[data-testid=latest-supporters] li")).ToHaveTextAsync(["Momentum South Birmingham"]);

        await page.GetByRole(AriaRole.Link, new() { Name = "Who has given" }).ClickAsync();
        await page.WaitForURLAsync($"**/disputes/{slug}/supporters");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Supporters");
        await Expect(page.Locator(".supporter-list li strong")).ToHaveTextAsync(["Momentum South Birmingham"]);
        await Expect(page.Locator("#unnamed-gifts")).ToContainTextAsync("And 1 gift given without a name to show");

        await page.GetByRole(AriaRole.Link, new() { Name = "See where the money went: the open books" }).ClickAsync();
        await page.WaitForURLAsync($"**/disputes/{slug}/books");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Open books");
        var whole = page.Locator("table[data-books='all']");
        await Expect(whole.Locator("tr[data-figure='given-offline'] td")).ToHaveTextAsync("£143.45");
        await Expect(whole.Locator("tr[data-figure='held'] td")).ToHaveTextAsync("£143.45");
        await page.Locator(".money-chart img").ScrollIntoViewIfNeededAsync();
        await page.WaitForFunctionAsync("() => { const img = document.querySelector('.money-chart img'); return img.complete && img.naturalWidth > 0; }");

        await whole.GetByRole(AriaRole.Link, new() { Name = "Card fees" }).ClickAsync();
        await page.WaitForURLAsync("**#def-card-fees");
        await Expect(page.Locator("#def-card-fees")).ToBeInViewportAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
        await page.WaitForURLAsync($"**/disputes/{slug}");

        var card = await page.Locator("meta[property='og:image']").GetAttributeAsync("content");
        var response = await page.APIRequest.GetAsync(card!);
        Assert.Equal(200, response.Status);
        Assert.Equal("image/png", response.Headers["content-type"]);
    }

    /// <summary>A picket-line collection for the Argos strike's first branch, recorded as an admin records one.</summary>
    private async Task CollectionAsync(string? organisation, long pence)
    {
        var (disputeId, branchId) = await Site.WithDbAsync(async db =>
        {
            var dispute = await db.Disputes.AsNoTracking().Where(d => d.Employer == "Argos").Select(d => d.Id).SingleAsync();
            var branch = await db.BeneficiaryBranches.AsNoTracking().Where(b => b.DisputeId == dispute).Select(b => b.BranchId).FirstAsync();
            return (dispute, branch);
        });
        var admin = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, Guid.NewGuid().ToString()), new Claim(ClaimTypes.Email, "treasurer@example.org")], "test"));
        await using var scope = Site.Scope();
        var gift = new OfflineGift(
            Guid.CreateVersion7(), disputeId, branchId, DonationMethod.Collection, pence, DateTimeOffset.UtcNow, "Bucket holder", organisation, null, "Picket line");
        Assert.True(await scope.ServiceProvider.GetRequiredService<OfflineMoney>().RecordAsync(gift, admin, CancellationToken.None));
    }
}
