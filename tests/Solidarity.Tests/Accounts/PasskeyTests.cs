using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Account;
using Solidarity.Web.Pages.Admin;

namespace Solidarity.Tests.Accounts;

/// <summary>
/// Passkeys beside authenticator apps: the options a browser needs come only to a signed-in person (to add one) or to
/// the sign-in page's own form, never without its antiforgery token; a passkey can be removed, and both changes are
/// audited; a sign-in with a passkey that does not check out signs no one in. (Making and using a real passkey is
/// done in a browser, with Chromium's virtual authenticator, in the browser tests.)
/// </summary>
public sealed class PasskeyTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public async Task Creation_options_need_a_signed_in_person()
    {
        using var client = SignIn.NewClient(App);
        var form = await HtmlForm.GetAsync(client, "/account/sign-in");
        var token = form.Value("__RequestVerificationToken")!;

        using var response = await client.PostAsync(
            "/account/passkeys?handler=CreationOptions", new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/sign-in", response.Headers.Location!.AbsolutePath, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_signed_in_person_gets_creation_options_that_ask_the_device_to_verify_them()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = await SignedInAsync(officer);

        using var response = await client.PostFormAsync("/account/passkeys", [], handler: "CreationOptions");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var options = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = options.RootElement;
        Assert.Equal("localhost", root.GetProperty("rp").GetProperty("id").GetString());
        Assert.Equal(officer.Email, root.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("required", root.GetProperty("authenticatorSelection").GetProperty("userVerification").GetString());
        Assert.Equal("required", root.GetProperty("authenticatorSelection").GetProperty("residentKey").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("challenge").GetString()));
    }

    [Theory]
    [InlineData("/account/passkeys?handler=CreationOptions")]
    [InlineData("/account/sign-in?handler=PasskeyOptions")]
    public async Task Options_are_refused_without_the_antiforgery_token(string path)
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = await SignedInAsync(officer);

        using var response = await client.PostAsync(path, new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_sign_in_page_gives_request_options_for_any_passkey_of_the_site()
    {
        using var client = SignIn.NewClient(App);
        var form = await HtmlForm.GetAsync(client, "/account/sign-in");

        using var response = await client.PostAsync(
            "/account/sign-in?handler=PasskeyOptions",
            new FormUrlEncodedContent([new("__RequestVerificationToken", form.Value("__RequestVerificationToken"))]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var options = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("localhost", options.RootElement.GetProperty("rpId").GetString());
        Assert.Equal("required", options.RootElement.GetProperty("userVerification").GetString());
    }

    [Fact]
    public async Task A_passkey_answer_that_does_not_check_out_signs_no_one_in()
    {
        using var client = SignIn.NewClient(App);
        var form = await HtmlForm.GetAsync(client, "/account/sign-in");
        var token = form.Value("__RequestVerificationToken")!;
        using (await client.PostAsync(
            "/account/sign-in?handler=PasskeyOptions", new FormUrlEncodedContent([new("__RequestVerificationToken", token)])))
        {
        }

        var passkeyForm = await HtmlForm.GetAsync(client, "/account/sign-in", "form[data-passkey]");
        using var response = await passkeyForm.Set("CredentialJson", """{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{}}""").SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(SignInModel.PasskeyFailedMessage, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        using var admin = await client.GetAsync("/account/passkeys");
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.False(await App.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == AuditActions.PasskeySignIn)));
    }

    [Fact]
    public async Task Adding_without_an_answer_from_the_device_says_so_and_adds_nothing()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = await SignedInAsync(officer);

        var form = await HtmlForm.GetAsync(client, "/account/passkeys", "form[data-passkey]");
        using var response = await form.Set("Name", "My phone").SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(ManagePasskeysModel.NotMadeMessage, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.AuditEntries.AnyAsync()));
    }

    [Fact]
    public async Task A_passkey_is_listed_and_removed_with_an_audit_entry()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = await SignedInAsync(officer);
        var credentialId = await AddStoredPasskeyAsync(officer, "Kitchen laptop");

        var page = await client.GetPageAsync("/account/passkeys");
        Assert.Contains("Kitchen laptop", page.QuerySelector("table")!.TextContent, StringComparison.Ordinal);
        var remove = await HtmlForm.GetAsync(client, "/account/passkeys", "form[action*='handler=Remove']");
        Assert.Equal(Passkeys.EncodeId(credentialId), remove.Value("id"));

        using var removed = await remove.SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Equal("/account/passkeys", removed.Headers.Location!.OriginalString);
        Assert.Empty(await PasskeysOfAsync(officer));
        var entry = await App.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.Action == AuditActions.PasskeyRemoved));
        Assert.Equal(officer.Id, entry.UserId);
        Assert.Contains("Kitchen laptop", entry.Details, StringComparison.Ordinal);
        var after = await client.GetPageAsync("/account/passkeys");
        Assert.Contains(ManagePasskeysModel.RemovedNotice, after.QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nobody_removes_another_persons_passkey()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        var other = await SignIn.CreateAccountAsync(App, "other@example.org", Roles.BranchOfficer);
        var credentialId = await AddStoredPasskeyAsync(other, "Theirs");
        using var client = await SignedInAsync(officer);

        using var response = await client.PostFormAsync("/account/passkeys", [new("id", Passkeys.EncodeId(credentialId))], handler: "Remove");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Single(await PasskeysOfAsync(other));
    }

    [Fact]
    public async Task An_admin_cannot_remove_the_passkey_that_is_their_only_second_factor()
    {
        var (client, admin) = await SignIn.AsAdminAsync(App);
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            await SecondFactor.RemoveAppAsync(users, (await users.FindByIdAsync(admin.Id.ToString()))!);
            Assert.True((await users.UpdateAsync((await users.FindByIdAsync(admin.Id.ToString()))!)).Succeeded);
        }

        using var passkey = await TestPasskey.AddToAsync(App, admin);
        var remove = await HtmlForm.GetAsync(client, "/account/passkeys", "form[action*='handler=Remove']");

        using var refused = await remove.SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains(ManagePasskeysModel.LastSecondFactorMessage, WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Single(await PasskeysOfAsync(admin));
        Assert.False(await App.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == AuditActions.PasskeyRemoved)));
    }

    private async Task<HttpClient> SignedInAsync(TestAccount account)
    {
        var client = SignIn.NewClient(App);
        using var response = await SignIn.WithPasswordAsync(client, account.Email, account.Password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private async Task<byte[]> AddStoredPasskeyAsync(TestAccount account, string name)
    {
        var credentialId = Guid.NewGuid().ToByteArray();
        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = (await users.FindByIdAsync(account.Id.ToString()))!;
        var passkey = new UserPasskeyInfo(
            credentialId, publicKey: [1, 2, 3], createdAt: DateTimeOffset.UtcNow, signCount: 0, transports: ["internal"],
            isUserVerified: true, isBackupEligible: false, isBackedUp: false, attestationObject: [4], clientDataJson: [5])
        {
            Name = name,
        };
        Assert.True((await users.AddOrUpdatePasskeyAsync(user, passkey)).Succeeded);
        return credentialId;
    }

    private async Task<IList<UserPasskeyInfo>> PasskeysOfAsync(TestAccount account)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await users.GetPasskeysAsync((await users.FindByIdAsync(account.Id.ToString()))!);
    }
}
