using System.Net;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Account;

namespace Solidarity.Tests.Accounts;

/// <summary>
/// Failed sign-ins slow whoever fails, in the same words as a wrong password, and never lock the owner out;
/// the counters live in PostgreSQL, so every web process sees them.
/// </summary>
public sealed class SignInThrottleTests(SiteFixture fixture) : SiteTest(fixture)
{
    private readonly TestClock _clock = new() { Now = DateTimeOffset.UtcNow };
    private WebApplicationFactory<Program> _site = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _site = WithClockAndAddresses(App);
    }

    public override async Task DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task A_wrong_password_an_unknown_address_and_a_slowed_sign_in_answer_in_the_same_words()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = Client(_site, "192.0.2.10");

        var wrong = await ErrorAsync(client, officer.Email, "wrong password 1");
        var unknown = await ErrorAsync(client, "nobody@example.org", "wrong password 2");
        for (var attempt = 3; attempt <= 6; attempt++)
        {
            await ErrorAsync(client, officer.Email, $"wrong password {attempt}");
        }

        var slowed = await ErrorAsync(client, officer.Email, officer.Password);

        Assert.Equal(SignInModel.IncorrectMessage, wrong);
        Assert.Equal(wrong, unknown);
        Assert.Equal(wrong, slowed);
        Assert.Null(await App.WithDbAsync(db => db.Users.Where(u => u.Id == officer.Id).Select(u => u.LockoutEnd).SingleAsync()));
    }

    [Fact]
    public async Task After_a_few_failures_even_the_right_password_waits_and_then_signs_in()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = Client(_site, "192.0.2.20");
        for (var attempt = 1; attempt <= SignInThrottle.FreeForAccountFromClient + 1; attempt++)
        {
            await ErrorAsync(client, officer.Email, $"wrong password {attempt}");
        }

        Assert.Equal(SignInModel.IncorrectMessage, await ErrorAsync(client, officer.Email, officer.Password));

        // The refused attempt counted too, as a script's would, so the wait now runs from it and is one step longer.
        _clock.Now += SignInThrottle.WaitAfter(SignInThrottle.FreeForAccountFromClient + 2, SignInThrottle.FreeForAccountFromClient);
        using var signedIn = await SignIn.WithPasswordAsync(client, officer.Email, officer.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
    }

    [Fact]
    public async Task Someone_failing_from_another_client_does_not_keep_the_owner_out()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var attacker = Client(_site, "198.51.100.66");
        for (var attempt = 1; attempt < SignInThrottle.FreeForAccount; attempt++)
        {
            await ErrorAsync(attacker, officer.Email, $"guess {attempt}");
        }

        using var owner = Client(_site, "192.0.2.30");
        using var signedIn = await SignIn.WithPasswordAsync(owner, officer.Email, officer.Password);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
    }

    [Fact]
    public async Task Failures_on_one_web_process_slow_the_same_client_on_another()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        await using var second = new SolidarityApp();
        second.ShareDatabaseOf(App);
        await using var secondSite = WithClockAndAddresses(second);
        using (var first = Client(_site, "192.0.2.40"))
        {
            for (var attempt = 1; attempt <= SignInThrottle.FreeForAccountFromClient + 1; attempt++)
            {
                await ErrorAsync(first, officer.Email, $"wrong password {attempt}");
            }
        }

        using var other = Client(secondSite, "192.0.2.40");

        Assert.Equal(SignInModel.IncorrectMessage, await ErrorAsync(other, officer.Email, officer.Password));
    }

    [Fact]
    public async Task An_authenticator_code_signs_in_once()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin, withAuthenticator: true);
        var code = admin.CurrentCode();
        using (var first = SignIn.NewClient(App))
        {
            using var password = await SignIn.WithPasswordAsync(first, admin.Email, admin.Password);
            using var accepted = await SignIn.WithCodeAsync(first, password.Headers.Location!.OriginalString, code);
            Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        }

        using var replay = SignIn.NewClient(App);
        using var again = await SignIn.WithPasswordAsync(replay, admin.Email, admin.Password);
        using var refused = await SignIn.WithCodeAsync(replay, again.Headers.Location!.OriginalString, code);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains(SignInTwoFactorModel.WrongCodeMessage, WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.NotNull(await App.WithDbAsync(db => db.Users.Where(u => u.Id == admin.Id).Select(u => u.LastAuthenticatorTimeStep).SingleAsync()));
    }

    private WebApplicationFactory<Program> WithClockAndAddresses(SolidarityApp app) => app.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
    {
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton<IStartupFilter, ClientAddress>();
    }));

    private static HttpClient Client(WebApplicationFactory<Program> site, string address)
    {
        var client = SignIn.NewClient(site);
        client.DefaultRequestHeaders.Add(ClientAddress.Header, address);
        return client;
    }

    /// <summary>Signs in and answers the form's error as a person reads it; fails if the sign-in went through.</summary>
    private static async Task<string> ErrorAsync(HttpClient client, string email, string password)
    {
        using var response = await SignIn.WithPasswordAsync(client, email, password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await HtmlForm.ParseAsync(response);
        return page.QuerySelector(".error-summary li, [role=alert] li")?.TextContent.Trim() ?? "(no error shown)";
    }
}
