using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Net.Http.Headers;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Account;

namespace Solidarity.Tests.Accounts;

/// <summary>
/// On a real site every cookie is Secure and __Host- prefixed (path /, no domain), so no subdomain and no plain-HTTP
/// page can read or plant one; Development and the test suite, on plain http://localhost, keep plain names.
/// </summary>
public sealed class CookieTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public async Task In_Production_the_form_and_sign_in_cookies_are_secure_and_host_only()
    {
        await using var site = new ProductionSite(App.ConnectionString);
        var officer = await SignIn.CreateAccountAsync(site, "officer@example.org", Roles.BranchOfficer);
        using var client = site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });

        using var page = await client.GetAsync("/account/sign-in");
        var form = HtmlForm.From(client, await HtmlForm.ParseAsync(page));
        using var signedIn = await form.Set("Input.Email", officer.Email).Set("Input.Password", officer.Password).SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookies = SetCookies(page).Concat(SetCookies(signedIn)).ToList();
        Assert.Contains(cookies, c => c.Name == SiteCookies.HostPrefix + "solidarity.antiforgery");
        Assert.Contains(cookies, c => c.Name == SiteCookies.HostPrefix + AccountsHosting.AuthCookieName);
        Assert.All(cookies, AssertHostOnly);
    }

    [Fact]
    public async Task In_Production_a_page_over_https_asks_browsers_to_use_https_for_a_year()
    {
        await using var site = new ProductionSite(App.ConnectionString);
        using var client = site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://solidarity.example") });

        using var page = await client.GetAsync("/account/sign-in");

        Assert.Equal("max-age=31536000", Assert.Single(page.Headers.GetValues(HeaderNames.StrictTransportSecurity)));
    }

    [Fact]
    public async Task In_Production_the_two_factor_step_cookie_is_secure_and_host_only()
    {
        await using var site = new ProductionSite(App.ConnectionString);
        var admin = await SignIn.CreateAccountAsync(site, "admin@example.org", Roles.Admin, withAuthenticator: true);
        using var client = site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });

        using var password = await SignIn.WithPasswordAsync(client, admin.Email, admin.Password);

        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        var cookies = SetCookies(password);
        Assert.Contains(cookies, c => c.Name.StartsWith(SiteCookies.HostPrefix + "Identity.TwoFactorUserId", StringComparison.Ordinal));
        Assert.All(cookies, AssertHostOnly);
    }

    [Fact]
    public async Task In_the_test_suite_cookies_keep_their_plain_names_for_http()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = SignIn.NewClient(App);

        using var signedIn = await SignIn.WithPasswordAsync(client, officer.Email, officer.Password);

        Assert.Contains(SetCookies(signedIn), c => c.Name == AccountsHosting.AuthCookieName && !c.Secure);
    }

    private static void AssertHostOnly(SetCookieHeaderValue cookie)
    {
        Assert.StartsWith(SiteCookies.HostPrefix, cookie.Name.Value, StringComparison.Ordinal);
        Assert.True(cookie.Secure, $"{cookie.Name} is not Secure");
        Assert.Equal("/", cookie.Path.Value);
        Assert.True(cookie.Domain.Value is null, $"{cookie.Name} names a domain");
    }

    private static List<SetCookieHeaderValue> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues(HeaderNames.SetCookie, out var values) ? [.. SetCookieHeaderValue.ParseList([.. values])] : [];
}
