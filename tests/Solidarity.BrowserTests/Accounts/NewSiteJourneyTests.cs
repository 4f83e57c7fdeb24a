using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MimeKit;
using Solidarity.BrowserTests.Infrastructure;
using Solidarity.Testing;

namespace Solidarity.BrowserTests.Accounts;

/// <summary>
/// A new site from an empty Production database, as an operator starts one: `migrate`, `create-admin`, then the site,
/// each the built site run as its own Production process; the first admin, a branch officer and a moderator then go
/// through their invitations in Chromium. The site is served over http://localhost, which Chromium treats as a secure
/// context (so the Secure, __Host- cookies work), and each browser request says X-Forwarded-Proto: https, as the
/// TLS-terminating proxy in front of a real site does (loopback is a trusted proxy). Invitation emails go to a loopback
/// mail server that offers STARTTLS with a certificate of its own, which the site trusts by its fingerprint
/// (Smtp:ServerCertificateSha256), as it would an organisation's own mail relay.
/// </summary>
public sealed partial class NewSiteJourneyTests : IAsyncLifetime
{
    private const string Password = "Strike fund first admin 2026";

    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _mailCertificate = TestCertificate.ForMailServer();
    private LoopbackSmtp? _mail;
    private readonly int _port = FreePort();
    private Dictionary<string, string?> _environment = [];
    private SiteProcess? _site;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    private string Origin => $"http://localhost:{_port}";

    public async Task InitializeAsync()
    {
        if (!Chromium.IsInstalled)
        {
            return;
        }

        _mail = await LoopbackSmtp.StartWithTlsAsync(_mailCertificate);
        var server = await TestPostgres.SharedAsync();
        var connectionString = await server.CreateDatabaseAsync("solidarity_new_site");
        _environment = SiteProcess.ProductionEnvironment(connectionString, Origin);
        _environment["Stripe__SecretKey"] = "sk_test_new_site";
        _environment["ASPNETCORE_URLS"] = Origin;
        SiteProcess.SendMailTo(_environment, _mail, _mailCertificate);
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        if (_site is not null)
        {
            await _site.DisposeAsync();
        }

        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_mail is not null)
        {
            await _mail.DisposeAsync();
        }

        _mailCertificate.Dispose();
    }

    [ChromiumFact]
    public async Task A_new_site_gets_its_first_admin_who_invites_a_branch_officer_and_a_moderator()
    {
        var (migrated, _, migrateError) = await RunAsync("migrate");
        Assert.True(migrated == 0, migrateError);
        var (created, output, createError) = await RunAsync("create-admin", "--email", "first@example.org");
        Assert.True(created == 0, createError);
        var adminLink = InvitationLink().Match(output).Value;
        Assert.StartsWith(Origin, adminLink, StringComparison.Ordinal);
        await StartSiteAsync();

        var admin = await NewPageAsync();
        await AcceptAsync(admin, adminLink, withApp: true);
        await admin.GetByRole(AriaRole.Link, new() { Name = "I have saved them: continue" }).ClickAsync();
        await admin.WaitForURLAsync($"{Origin}/admin");

        await AddBranchAsync(admin, "WM7680", "Burton on Trent");
        await AddBranchAsync(admin, "EM1001", "Lutterworth");

        await admin.GotoAsync("/account/password");
        await AssertAccessibleAsync(admin);
        var stranger = await NewPageAsync();
        await stranger.GotoAsync("/account/forgot-password");
        await AssertAccessibleAsync(stranger);

        var officerLink = await InviteAsync(admin, "officer@example.org", "BranchOfficer", "WM7680 Burton on Trent");
        var officer = await NewPageAsync();
        await AcceptAsync(officer, officerLink, withApp: false);
        await officer.WaitForURLAsync($"{Origin}/branch");
        var portal = await officer.Locator("main").InnerTextAsync();
        Assert.Contains("Burton on Trent", portal, StringComparison.Ordinal);
        Assert.DoesNotContain("Lutterworth", portal, StringComparison.Ordinal);
        await officer.SetViewportSizeAsync(375, 812);
        await AssertAccessibleAsync(officer);
        await AssertRefusedAsync(officer, "/admin/people");

        var moderatorLink = await InviteAsync(admin, "moderator@example.org", "Moderator", branch: null);
        var moderator = await NewPageAsync();
        await AcceptAsync(moderator, moderatorLink, withApp: true);
        await moderator.GetByRole(AriaRole.Link, new() { Name = "I have saved them: continue" }).ClickAsync();
        await moderator.WaitForURLAsync($"{Origin}/admin/messages");
        Assert.Equal(200, (await moderator.GotoAsync("/admin/updates"))!.Status);
        await AssertRefusedAsync(moderator, "/admin/money/offline");
        await AssertRefusedAsync(moderator, "/admin/remittances");
        await AssertRefusedAsync(moderator, "/admin/people");
    }

    /// <summary>No WCAG 2.1 AA violation, and no sideways scrolling at the page's width.</summary>
    private static async Task AssertAccessibleAsync(IPage page)
    {
        var result = await Accessibility.RunAxeAsync(page);
        Assert.True(result.Violations.Length == 0, Accessibility.Describe(result));
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"{page.Url} is {widths[0]}px wide in a {widths[1]}px viewport.");
    }

    /// <summary>
    /// The page is refused: the site sends the browser to the access-denied page, which answers 403. Followed by hand,
    /// since the redirect names https (the scheme the proxy reported), which nothing serves here.
    /// </summary>
    private static async Task AssertRefusedAsync(IPage page, string path)
    {
        var response = await page.Context.APIRequest.GetAsync(path, new() { MaxRedirects = 0 });
        Assert.Equal(302, response.Status);
        var deniedAt = new Uri(new Uri("https://localhost"), response.Headers["location"]).PathAndQuery;
        Assert.StartsWith("/account/access-denied", deniedAt, StringComparison.Ordinal);
        Assert.Equal(403, (await page.GotoAsync(deniedAt))!.Status);
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await _browser!.NewContextAsync(new()
        {
            BaseURL = Origin,
            Locale = "en-GB",
            TimezoneId = "Europe/London",

            // What the TLS-terminating proxy in front of the site adds to every request.
            ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Forwarded-Proto"] = "https" },
        });
        return await context.NewPageAsync();
    }

    /// <summary>Opens an invitation link, chooses the password and, for admins and moderators, enrols the app from the key shown.</summary>
    private static async Task AcceptAsync(IPage page, string link, bool withApp)
    {
        var response = await page.GotoAsync(link);
        Assert.Equal(200, response!.Status);
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync(Password);
        await page.GetByLabel("New password again").FillAsync(Password);
        if (withApp)
        {
            var key = (await page.GetByTestId("shared-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
            await page.GetByLabel("Code from the app").FillAsync(SignIn.Code(key));
        }

        await page.GetByRole(AriaRole.Button, new() { Name = withApp ? "Set password and turn on the app" : "Set password", Exact = true }).ClickAsync();
    }

    private async Task AddBranchAsync(IPage admin, string code, string name)
    {
        await admin.GotoAsync("/admin/branches/new");
        await admin.GetByLabel("Branch code").FillAsync(code);
        await admin.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        var union = admin.GetByLabel("Union", new() { Exact = true });
        if (await union.Locator("option", new() { HasText = "Unite the Union" }).CountAsync() > 0)
        {
            await union.SelectOptionAsync(new SelectOptionValue { Label = "Unite the Union" });
        }
        else
        {
            await admin.GetByLabel("or a new union's name").FillAsync("Unite the Union");
        }

        await admin.GetByLabel("Postal address for cheques and letters").FillAsync("1 Example Street\nBurton upon Trent");
        await admin.GetByLabel("Contact name").FillAsync("A. Secretary");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add branch" }).ClickAsync();
        try
        {
            await admin.WaitForURLAsync($"{Origin}/admin/branches");
        }
        catch (TimeoutException)
        {
            // Say what the site answered instead: a refusal on the form, another page, or no answer at all.
            Assert.Fail($"Adding branch {code} did not return to the list; the browser is at {admin.Url}, showing: {await admin.Locator("body").InnerTextAsync()}");
        }
    }

    /// <summary>Invites from the People page and answers the link from the email the site wrote.</summary>
    private async Task<string> InviteAsync(IPage admin, string email, string role, string? branch)
    {
        await admin.GotoAsync("/admin/people");
        await admin.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await admin.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync(role);
        if (branch is not null)
        {
            await admin.GetByLabel("Branch (branch officers only)").SelectOptionAsync(new SelectOptionValue { Label = branch });
        }

        await admin.GetByRole(AriaRole.Button, new() { Name = "Send invitation" }).ClickAsync();
        await admin.GetByRole(AriaRole.Status).WaitForAsync();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (_mail!.Messages.LastOrDefault(m => m.To.Mailboxes.Any(to => to.Address == email)) is { } message)
            {
                return InvitationLink().Match(message.TextBody ?? "").Value;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"No invitation email to {email} reached the mail server.");
    }

    private async Task StartSiteAsync() => _site = await SiteProcess.StartAsync(_environment);

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments) =>
        SiteProcess.RunAsync(_environment, arguments);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"http://localhost:\d+/account/invitation/[A-Za-z0-9_-]+")]
    private static partial Regex InvitationLink();
}
