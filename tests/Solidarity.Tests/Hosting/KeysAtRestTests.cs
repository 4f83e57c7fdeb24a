using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Core.Data;
using Solidarity.Testing;
using Solidarity.Tests.Accounts;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Account;

namespace Solidarity.Tests.Hosting;

/// <summary>
/// What the database holds of the keys: data-protection keys encrypted with the operator's certificate (in
/// Production), authenticator keys and recovery codes encrypted with data protection, and older plain values still read.
/// </summary>
public sealed class KeysAtRestTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public async Task In_Production_the_data_protection_keys_are_stored_encrypted_and_another_process_reads_them()
    {
        // A database of its own: the shared one's keys are in the clear, and a site finding them would make none.
        var connectionString = await Fixture.Server.CreateDatabaseAsync("solidarity_keys");
        await using var first = new ProductionSite(connectionString);
        await using (var scope = first.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SolidarityDbContext>().Database.MigrateAsync();
        }

        using var browser = first.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        using var page = await browser.GetAsync("/account/forgot-password");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        var stored = await first.WithDbAsync(db => db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml!).ToListAsync());
        Assert.NotEmpty(stored);
        Assert.All(stored, xml =>
        {
            Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
        });

        await using var second = new ProductionSite(connectionString);
        using var other = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        foreach (var cookie in page.Headers.GetValues("Set-Cookie"))
        {
            other.DefaultRequestHeaders.Add("Cookie", cookie.Split(';')[0]);
        }

        var form = HtmlForm.From(other, await HtmlForm.ParseAsync(page));
        using var posted = await form.Set("Input.Email", "nobody@example.org").SubmitAsync();

        // A form token the second process could not decrypt would answer 400.
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
    }

    [Fact]
    public async Task Authenticator_keys_and_recovery_codes_are_stored_encrypted()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin, withAuthenticator: true);
        var codes = await WithUsersAsync(async (users, user) => (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToList(), admin.Id);

        var stored = await App.WithDbAsync(db => db.UserTokens.AsNoTracking().Where(t => t.UserId == admin.Id).Select(t => t.Value!).ToListAsync());

        Assert.Equal(2, stored.Count);
        Assert.All(stored, value => Assert.DoesNotContain(admin.AuthenticatorKey!, value, StringComparison.OrdinalIgnoreCase));
        Assert.All(stored, value => Assert.All(codes, code => Assert.DoesNotContain(code, value, StringComparison.OrdinalIgnoreCase)));
        Assert.Equal(admin.AuthenticatorKey, await WithUsersAsync((users, user) => users.GetAuthenticatorKeyAsync(user), admin.Id));
        Assert.Equal(10, await WithUsersAsync((users, user) => users.CountRecoveryCodesAsync(user), admin.Id));
    }

    [Fact]
    public async Task An_invitation_keeps_its_authenticator_key_encrypted()
    {
        var invitation = await Invite.IssueAsync(App, "new-admin@example.org", Roles.Admin);
        using var client = SignIn.NewClient(App);

        var key = await Invite.KeyAsync(client, invitation.Path);

        var stored = await App.WithDbAsync(db => db.Invitations.Where(i => i.Id == invitation.Id).Select(i => i.AuthenticatorKey!).SingleAsync());
        Assert.DoesNotContain(key, stored, StringComparison.OrdinalIgnoreCase);
        var (accepted, _) = await Invite.AcceptWithAppAsync(client, invitation.Path);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
    }

    [Fact]
    public async Task A_key_stored_in_the_clear_before_encryption_still_signs_in()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin, withAuthenticator: true);
        await App.WithDbAsync(db => db.UserTokens
            .Where(t => t.UserId == admin.Id && t.LoginProvider == SolidarityUserStore.StoreProvider && t.Name == "AuthenticatorKey")
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.Value, admin.AuthenticatorKey)));

        using var client = await SignIn.WithTwoFactorAsync(App, admin);
        using var dashboard = await client.GetAsync("/admin");

        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
    }

    private async Task<T> WithUsersAsync<T>(Func<UserManager<ApplicationUser>, ApplicationUser, Task<T>> work, Guid userId)
    {
        await using var scope = App.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await work(users, (await users.FindByIdAsync(userId.ToString()))!);
    }
}
