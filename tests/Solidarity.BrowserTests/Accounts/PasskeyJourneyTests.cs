using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Solidarity.BrowserTests.Infrastructure;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Web.Pages.Account;
using Solidarity.Web.Pages.Admin;

namespace Solidarity.BrowserTests.Accounts;

/// <summary>
/// An admin adds a passkey in Chromium, with the browser's virtual authenticator (a device that verifies its user)
/// standing in for a phone or security key, signs out, and signs in again with the passkey alone: no password, no
/// code, and the admin area (which needs a second factor) opens. The passkey also serves as the second step after the
/// password, beside the app's code; and an invited moderator chooses a passkey instead of an app, then signs in with
/// password and passkey. WebAuthn refuses IP addresses, so the pages are opened on http://localhost rather than the
/// 127.0.0.1 the site listens on.
/// </summary>
public sealed class PasskeyJourneyTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private const string Email = "passkey-admin@example.org";
    private const string Password = "Strike fund passkey admin 2026";

    [ChromiumFact]
    public async Task An_admin_adds_a_passkey_and_signs_in_with_it_alone()
    {
        var (adminId, key) = await CreateAdminAsync();
        var page = await NewLocalhostPageAsync();
        await AddVirtualAuthenticatorAsync(page);

        await page.GotoAsync("/account/sign-in");
        await page.GetByLabel("Email").FillAsync(Email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.GetByLabel("Authentication code").FillAsync(SignIn.Code(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/admin");

        await page.GetByRole(AriaRole.Link, new() { Name = "Passkeys" }).ClickAsync();
        await page.WaitForURLAsync("**/account/passkeys");
        await page.SetViewportSizeAsync(PhoneWidth, 812);
        await AssertAccessibleAsync(page);
        await page.GetByLabel("A name for it (optional)").FillAsync("Test laptop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).GetByText("Your passkey has been added").WaitForAsync();
        Assert.Contains("Test laptop", await page.Locator("main table").InnerTextAsync(), StringComparison.Ordinal);
        await AssertAccessibleAsync(page);

        await page.GotoAsync("/account/sign-out");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GotoAsync("/admin");
        Assert.Contains("/account/sign-in", page.Url, StringComparison.Ordinal);

        await page.GotoAsync("/account/sign-in?ReturnUrl=%2Fadmin%2Fpeople");
        await AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).ClickAsync();
        await page.WaitForURLAsync("**/admin/people");
        Assert.Contains(Email, await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        var response = await page.GotoAsync("/admin");
        Assert.Equal(200, response!.Status);
        Assert.EndsWith("/admin", page.Url, StringComparison.Ordinal);
        var audited = await Site.WithDbAsync(db => db.AuditEntries.Where(e => e.UserId == adminId).Select(e => e.Action).ToListAsync());
        Assert.Contains(AuditActions.PasskeyAdded, audited);
        Assert.Contains(AuditActions.PasskeySignIn, audited);
    }

    [ChromiumFact]
    public async Task An_admin_with_the_app_and_a_passkey_gives_the_passkey_after_the_password()
    {
        var (adminId, key) = await CreateAdminAsync();
        var page = await NewLocalhostPageAsync();
        await AddVirtualAuthenticatorAsync(page);
        await SignInWithPasswordAsync(page);
        await page.GetByLabel("Authentication code").FillAsync(SignIn.Code(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/admin");
        await page.GotoAsync("/account/passkeys");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).GetByText("Your passkey has been added").WaitForAsync();
        await SignOutAsync(page);

        await SignInWithPasswordAsync(page, returnUrl: "/admin/people");
        await page.WaitForURLAsync("**/account/sign-in/two-factor**");
        await page.SetViewportSizeAsync(PhoneWidth, 812);
        await Assertions.Expect(page.GetByLabel("Authentication code")).ToBeVisibleAsync();
        await AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use your passkey" }).ClickAsync();

        await page.WaitForURLAsync("**/admin/people");
        Assert.Equal(200, (await page.GotoAsync("/admin"))!.Status);
        Assert.EndsWith("/admin", page.Url, StringComparison.Ordinal);
        var audited = await Site.WithDbAsync(db => db.AuditEntries.Where(e => e.UserId == adminId).Select(e => e.Action).ToListAsync());
        Assert.Contains(AuditActions.PasskeySignIn, audited);
    }

    [ChromiumFact]
    public async Task An_invited_moderator_chooses_a_passkey_and_then_signs_in_with_password_and_passkey()
    {
        var invitationPath = await InviteModeratorAsync();
        var page = await NewLocalhostPageAsync();
        await AddVirtualAuthenticatorAsync(page);
        await page.SetViewportSizeAsync(PhoneWidth, 812);

        await page.GotoAsync(invitationPath);
        await AssertAccessibleAsync(page);
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync(Password);
        await page.GetByLabel("New password again").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Set password and add a passkey" }).ClickAsync();
        await page.WaitForURLAsync("**/account/authenticator/recovery-codes**");
        await Assertions.Expect(page.Locator(".recovery-codes li")).ToHaveCountAsync(10);
        await page.GetByRole(AriaRole.Link, new() { Name = "I have saved them: continue" }).ClickAsync();
        await page.WaitForURLAsync("**/admin/messages");
        await SignOutAsync(page);

        await SignInWithPasswordAsync(page);
        await page.WaitForURLAsync("**/account/sign-in/two-factor**");
        await Assertions.Expect(page.GetByLabel("Authentication code")).ToHaveCountAsync(0);
        await AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use your passkey" }).ClickAsync();

        await page.WaitForURLAsync("**/admin/messages");
        Assert.Equal(200, (await page.GotoAsync("/admin/updates"))!.Status);
    }

    [ChromiumFact]
    public async Task A_browser_without_passkeys_is_told_so_plainly()
    {
        var page = await NewLocalhostPageAsync();
        await page.AddInitScriptAsync("delete window.PublicKeyCredential;");

        await page.GotoAsync("/account/sign-in");

        await Assertions.Expect(page.GetByText("This browser cannot use passkeys")).ToBeVisibleAsync();
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).IsDisabledAsync());

        await page.GotoAsync(await InviteModeratorAsync());
        await Assertions.Expect(page.GetByText("This browser cannot make passkeys: set up the authenticator app above instead.")).ToBeVisibleAsync();
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Set password and add a passkey" }).IsDisabledAsync());
        Assert.False(await page.GetByRole(AriaRole.Button, new() { Name = "Set password and turn on the app" }).IsDisabledAsync());
    }

    private static async Task AddVirtualAuthenticatorAsync(IPage page)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
            },
        });
    }

    private static async Task SignInWithPasswordAsync(IPage page, string? returnUrl = null)
    {
        await page.GotoAsync(returnUrl is null ? "/account/sign-in" : $"/account/sign-in?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        await page.GetByLabel("Email").FillAsync(Email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.GotoAsync("/account/sign-out");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/account/sign-out", StringComparison.Ordinal));
    }

    /// <summary>An invitation to <see cref="Email"/> as a moderator, made by the site's own service; answers the link's path.</summary>
    private async Task<string> InviteModeratorAsync()
    {
        await using var scope = Site.Scope();
        var result = await scope.ServiceProvider.GetRequiredService<Invitations>()
            .IssueAsync(new InvitationRequest(Email, Roles.Moderator), Actor.CommandLine, CancellationToken.None);
        return result.Issued?.Path ?? throw new InvalidOperationException(result.Refusal);
    }

    private async Task<(Guid Id, string AuthenticatorKey)> CreateAdminAsync()
    {
        var admin = await SignIn.CreateAccountAsync(Site, Email, Roles.Admin, withAuthenticator: true, password: Password);
        return (admin.Id, admin.AuthenticatorKey!);
    }

    /// <summary>A page whose addresses say localhost: WebAuthn takes its relying party from the host, and refuses an IP address.</summary>
    private Task<IPage> NewLocalhostPageAsync() => NewPageAsync(origin: Site.LocalhostOrigin);

    private static async Task AssertAccessibleAsync(IPage page)
    {
        var result = await Accessibility.RunAxeAsync(page);
        Assert.True(result.Violations.Length == 0, Accessibility.Describe(result));
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"{page.Url} is {widths[0]}px wide in a {widths[1]}px viewport.");
    }
}
