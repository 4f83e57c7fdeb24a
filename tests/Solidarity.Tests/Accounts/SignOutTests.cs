using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Account;

namespace Solidarity.Tests.Accounts;

public sealed class SignOutTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public async Task Signing_out_ends_every_copy_of_the_session_cookie()
    {
        // Every request is due a session check, as it would be a minute after signing out.
        await using var site = App.WithWebHostBuilder(b => b.ConfigureTestServices(services => services.Configure<SecurityStampValidatorOptions>(
            options => options.TimeProvider = new Ahead(AccountsHosting.SessionCheckInterval * 2))));
        var officer = await SignIn.CreateAccountAsync(site, "officer@example.org", Roles.BranchOfficer);
        using var browser = SignIn.NewClient(site);
        using (var signedIn = await SignIn.WithPasswordAsync(browser, officer.Email, officer.Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        using var copied = site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var cookie = await SessionCookieAsync(browser);
        copied.DefaultRequestHeaders.Add("Cookie", cookie);
        using (var before = await copied.GetAsync("/account/sign-out"))
        {
            // The sign-out page answers only a signed-in visitor; anyone else is sent home.
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var signOut = await HtmlForm.GetAsync(browser, "/account/sign-out");
        using (var signedOut = await signOut.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        }

        using var after = await copied.GetAsync("/account/sign-out");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/", after.Headers.Location!.OriginalString);
    }

    /// <summary>The session cookie this client holds, as a Cookie header another client could replay.</summary>
    private static async Task<string> SessionCookieAsync(HttpClient client)
    {
        // The test client's cookie handler adds the header to each request it sends: read it off one.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/sign-out");
        using var response = await client.SendAsync(request);
        var header = response.RequestMessage!.Headers.TryGetValues("Cookie", out var values) ? string.Join("; ", values) : "";
        Assert.Contains(AccountsHosting.AuthCookieName, header, StringComparison.Ordinal);
        return header;
    }

    private sealed class Ahead(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + ahead;
    }
}
