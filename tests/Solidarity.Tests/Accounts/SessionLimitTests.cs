using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Account;

namespace Solidarity.Tests.Accounts;

/// <summary>
/// Admins' and moderators' sessions end after 30 minutes without a request and 12 hours after signing in; a branch
/// officer's lasts 8 hours from the last request. Counted on the site's clock, which the tests move.
/// </summary>
public sealed class SessionLimitTests(SiteFixture fixture) : SiteTest(fixture)
{
    private readonly TestClock _clock = new() { Now = DateTimeOffset.UtcNow };

    [Fact]
    public async Task An_admin_session_ends_after_30_minutes_without_a_request()
    {
        await using var site = WithClock();
        var (client, _) = await SignIn.AsAdminAsync(site);
        using (client)
        {
            _clock.Now += SessionLimits.PrivilegedIdle + TimeSpan.FromSeconds(1);

            await AssertSignedOutAsync(client, "/admin");
        }
    }

    [Fact]
    public async Task An_admin_session_in_use_lasts_past_30_minutes()
    {
        await using var site = WithClock();
        var (client, _) = await SignIn.AsAdminAsync(site);
        using (client)
        {
            for (var i = 0; i < 4; i++)
            {
                _clock.Now += TimeSpan.FromMinutes(20);
                await AssertSignedInAsync(client, "/admin");
            }
        }
    }

    [Fact]
    public async Task An_admin_session_ends_12_hours_after_signing_in_however_busy()
    {
        await using var site = WithClock();
        var (client, _) = await SignIn.AsAdminAsync(site);
        using (client)
        {
            var signedInAt = _clock.Now;
            while (_clock.Now + TimeSpan.FromMinutes(25) < signedInAt + SessionLimits.PrivilegedAbsolute)
            {
                _clock.Now += TimeSpan.FromMinutes(25);
                await AssertSignedInAsync(client, "/admin");
            }

            _clock.Now = signedInAt + SessionLimits.PrivilegedAbsolute + TimeSpan.FromSeconds(1);

            await AssertSignedOutAsync(client, "/admin");
        }
    }

    [Fact]
    public async Task A_moderator_session_ends_after_30_minutes_without_a_request()
    {
        await using var site = WithClock();
        var moderator = await SignIn.CreateAccountAsync(site, "moderator@example.org", Roles.Moderator, withAuthenticator: true);
        using var client = await SignIn.WithTwoFactorAsync(site, moderator);
        await AssertSignedInAsync(client, "/admin/messages");

        _clock.Now += SessionLimits.PrivilegedIdle + TimeSpan.FromSeconds(1);

        await AssertSignedOutAsync(client, "/admin/messages");
    }

    [Fact]
    public async Task A_branch_officer_session_outlasts_30_minutes_idle_and_ends_after_8_hours_idle()
    {
        await using var site = WithClock();
        var officer = await SignIn.CreateAccountAsync(site, "officer@example.org", Roles.BranchOfficer);
        using var client = SignIn.NewClient(site);
        using (var signedIn = await SignIn.WithPasswordAsync(client, officer.Email, officer.Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        _clock.Now += TimeSpan.FromHours(2);
        await AssertSignedInAsync(client, "/account/sign-out");

        _clock.Now += SessionLimits.OfficerIdle + TimeSpan.FromSeconds(1);
        using var after = await client.GetAsync("/account/sign-out");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/", after.Headers.Location!.OriginalString);
    }

    private WebApplicationFactory<Program> WithClock() =>
        App.WithWebHostBuilder(b => b.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock)));

    private static async Task AssertSignedInAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task AssertSignedOutAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/sign-in", response.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
    }
}
