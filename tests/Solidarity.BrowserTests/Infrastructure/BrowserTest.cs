using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Solidarity.Testing;
using Solidarity.Web.Demo;

namespace Solidarity.BrowserTests.Infrastructure;

/// <summary>
/// A browser test on the shared site: before each test the tables are emptied and the demo data seeded, so every
/// test starts from the site a visitor of the demo sees; each page opens in a fresh browser context (no cookies or
/// storage carried between tests).
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract class BrowserTest(BrowserFixture fixture) : IAsyncLifetime
{
    public const int DesktopWidth = 1280;
    public const int PhoneWidth = 375;

    private readonly List<IBrowserContext> _contexts = [];

    protected BrowserSite Site => fixture.Site;

    public async Task InitializeAsync()
    {
        await Site.ResetAsync();
        await using var scope = Site.Scope();
        var demo = ActivatorUtilities.CreateInstance<DemoData>(scope.ServiceProvider);
        await demo.SeedAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }
    }

    /// <summary>Gives the Argos demo its history of money and messages (a short one), which this site's demo leaves out.</summary>
    protected async Task SeedDemoHistoryAsync()
    {
        await using var scope = Site.Scope();
        var history = ActivatorUtilities.CreateInstance<DemoHistory>(
            scope.ServiceProvider, Microsoft.Extensions.Options.Options.Create(new DemoSettings { Donations = 60 }));
        await history.SeedAsync(CancellationToken.None);
    }

    /// <summary>
    /// A page in a new context, its viewport <paramref name="width"/> CSS pixels wide, opening addresses on
    /// <paramref name="origin"/> (the site's own, 127.0.0.1, unless another name for it is given).
    /// </summary>
    protected async Task<IPage> NewPageAsync(int width = DesktopWidth, Uri? origin = null)
    {
        var context = await fixture.Browser.NewContextAsync(new()
        {
            BaseURL = (origin ?? Site.Origin).ToString(),
            ViewportSize = new() { Width = width, Height = width == PhoneWidth ? 812 : 800 },
            Locale = "en-GB",
            TimezoneId = "Europe/London",
        });
        _contexts.Add(context);
        return await context.NewPageAsync();
    }

    /// <summary>Opens <paramref name="path"/> and fails unless the site answered it with 200.</summary>
    protected static async Task OpenAsync(IPage page, string path)
    {
        var response = await page.GotoAsync(path);
        Assert.NotNull(response);
        Assert.True(response.Ok, $"GET {path} answered {response.Status} {response.StatusText}.");
    }

    /// <summary>
    /// Signs <paramref name="account"/> in on the pages as a person does: the password, then, on the two-factor page,
    /// the code the app shows. The caller waits for wherever the account lands.
    /// </summary>
    protected static async Task SignInWithCodeAsync(IPage page, TestAccount account, string? returnUrl = null)
    {
        await OpenAsync(page, returnUrl is null ? "/account/sign-in" : $"/account/sign-in?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        await page.GetByLabel("Email").FillAsync(account.Email);
        await page.GetByLabel("Password").FillAsync(account.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/account/sign-in/two-factor**");
        await page.GetByLabel("Authentication code").FillAsync(account.CurrentCode());
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    /// <summary>
    /// The Argos demo dispute as the database has it. Looked up by employer rather than by a fixed slug, so the
    /// tests follow whatever address the demo gives it.
    /// </summary>
    protected async Task<(string Slug, string Title)> ArgosAsync()
    {
        var argos = await Site.WithDbAsync(db => db.Disputes.AsNoTracking()
            .Where(d => d.Employer == "Argos")
            .Select(d => new { d.Slug, d.Title })
            .SingleOrDefaultAsync());
        Assert.True(argos is not null, "The demo data has no dispute whose employer is Argos.");
        return (argos.Slug, argos.Title);
    }

    /// <summary>
    /// The path of a page the tests name: "home", "argos", the Argos dispute's "books" or "supporters", or "chart" (the
    /// Argos chart's table, with the demo's history).
    /// </summary>
    protected async Task<string> PathOfAsync(string page)
    {
        switch (page)
        {
            case "home":
                return "/";
            case "argos":
                return $"/disputes/{(await ArgosAsync()).Slug}";
            case "books":
                return $"/disputes/{(await ArgosAsync()).Slug}/books";
            case "supporters":
                return $"/disputes/{(await ArgosAsync()).Slug}/supporters";
            case "chart":
                await SeedDemoHistoryAsync();
                return $"/disputes/{(await ArgosAsync()).Slug}/chart";
            default:
                throw new ArgumentOutOfRangeException(nameof(page), page, "Known pages: home, argos, books, supporters, chart.");
        }
    }
}
