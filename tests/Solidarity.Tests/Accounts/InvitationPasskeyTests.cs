using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Admin;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Account;
using Solidarity.Web.Pages.Admin;

namespace Solidarity.Tests.Accounts;

/// <summary>
/// Accepting an admin's or moderator's invitation with a passkey instead of an authenticator app: the password is
/// checked before the device is asked, the passkey is made for this invitation's address and account, and accepting
/// is all or nothing, with the recovery codes shown once, as with the app. The device is a <see cref="TestPasskey"/>.
/// </summary>
public sealed class InvitationPasskeyTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string Email = "new-moderator@example.org";
    private const string PasskeyButton = "button[data-passkey='create']";

    [Fact]
    public async Task The_enrolment_step_offers_a_passkey_beside_the_app()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Moderator);
        using var client = NewClient();

        var form = await HtmlForm.GetAsync(client, invitation.Path);

        var button = form.Element.QuerySelector(PasskeyButton)!;
        Assert.Contains("handler=Passkey", button.GetAttribute("formaction"), StringComparison.Ordinal);
        Assert.Contains("handler=PasskeyOptions", button.GetAttribute("data-passkey-options"), StringComparison.Ordinal);
        Assert.True(form.Has("Input.Code"));
    }

    [Fact]
    public async Task A_branch_officer_invitation_offers_no_passkey()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var invitation = await Invite.IssueAsync(App, "officer@example.org", Roles.BranchOfficer, seeded.BurtonBranchId);
        using var client = NewClient();

        var form = await HtmlForm.GetAsync(client, invitation.Path);

        Assert.Null(form.Element.QuerySelector(PasskeyButton));
    }

    [Fact]
    public async Task Options_are_refused_while_the_password_will_not_do()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Moderator);
        using var client = NewClient();

        using var response = await CreationOptionsAsync(client, invitation.Path, "short");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task Accepting_with_a_passkey_makes_the_account_with_it_and_shows_the_recovery_codes()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Moderator);
        using var client = NewClient();
        using var passkey = TestPasskey.New();

        using var accepted = await AcceptWithPasskeyAsync(client, invitation.Path, passkey);

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.StartsWith("/account/authenticator/recovery-codes", accepted.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using var codesPage = await client.GetAsync(accepted.Headers.Location);
        var codes = (await HtmlForm.ParseAsync(codesPage)).QuerySelectorAll(".recovery-codes kbd").Select(c => c.TextContent).ToList();
        Assert.Equal(SecondFactor.RecoveryCodeCount, codes.Distinct().Count());
        using var messages = await client.GetAsync("/admin/messages");
        Assert.Equal(HttpStatusCode.OK, messages.StatusCode);
        var user = await App.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == Email));
        Assert.Equal(passkey.UserId, user.Id);
        Assert.False(user.TwoFactorEnabled);
        Assert.Equal([passkey.CredentialId], (await WithUsersAsync(users => users.GetPasskeysAsync(user))).Select(p => p.CredentialId));
        var entry = await App.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.Action == AuditActions.InvitationAccepted));
        using var details = JsonDocument.Parse(entry.Details!);
        Assert.True(details.RootElement.GetProperty("passkey").GetBoolean());
    }

    [Fact]
    public async Task After_accepting_with_a_passkey_the_password_and_the_passkey_sign_in()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Moderator);
        using var passkey = TestPasskey.New();
        using (var client = NewClient())
        {
            using var _ = await AcceptWithPasskeyAsync(client, invitation.Path, passkey);
        }

        using var fresh = NewClient();
        using var password = await SignIn.WithPasswordAsync(fresh, Email, Invite.NewPassword);
        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        Assert.StartsWith("/account/sign-in/two-factor", password.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var form = await HtmlForm.GetAsync(fresh, "/account/sign-in/two-factor", "form[data-passkey]");
        using var options = await fresh.PostAsync(
            "/account/sign-in/two-factor?handler=PasskeyOptions",
            new FormUrlEncodedContent([new("__RequestVerificationToken", form.Value("__RequestVerificationToken"))]));
        using var signedIn = await form.Set("CredentialJson", passkey.Answer(await options.Content.ReadAsStringAsync())).SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/admin/messages", signedIn.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Without_an_answer_from_the_device_nothing_is_written_and_the_link_still_works()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Moderator);
        using var client = NewClient();

        using var response = await SubmitWithPasskeyAsync(client, invitation.Path, credentialJson: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(InvitationModel.NoPasskeyMessage, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == Email)));
        using var again = await client.GetAsync(invitation.Path);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task A_password_that_will_not_do_is_explained_when_the_form_comes_without_a_passkey()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Moderator);
        using var client = NewClient();

        using var response = await SubmitWithPasskeyAsync(client, invitation.Path, credentialJson: null, password: "shortpass");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await HtmlForm.ParseAsync(response);
        Assert.False(string.IsNullOrWhiteSpace(page.QuerySelector("[data-valmsg-for='Input.Password']")?.TextContent));
        Assert.DoesNotContain(InvitationModel.NoPasskeyMessage, page.Body!.TextContent, StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == Email)));
    }

    [Fact]
    public async Task A_passkey_made_on_another_invitation_is_refused_and_nothing_is_written()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Moderator);
        var other = await Invite.IssueAsync(App, "someone-else@example.org", Roles.Admin);
        using var client = NewClient();
        using var passkey = TestPasskey.New();
        using var options = await CreationOptionsAsync(client, other.Path);
        var made = passkey.Attest(await options.Content.ReadAsStringAsync());

        using var response = await SubmitWithPasskeyAsync(client, invitation.Path, made);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Invitations.PasskeyMismatch, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync()));
        Assert.False(await App.WithDbAsync(db => db.Set<IdentityUserPasskey<Guid>>().AnyAsync()));
        using var again = await client.GetAsync(invitation.Path);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Accepting_with_a_passkey_for_an_existing_account_keeps_it_and_turns_its_old_app_off()
    {
        var existing = await SignIn.CreateAccountAsync(App, Email, Roles.Moderator, withAuthenticator: true);
        var invitation = await Invite.IssueAsync(App, Email, Roles.Moderator);
        using var client = NewClient();
        using var passkey = TestPasskey.New();

        using var accepted = await AcceptWithPasskeyAsync(client, invitation.Path, passkey);

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal(existing.Id, passkey.UserId);
        var user = await App.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == Email));
        Assert.Equal(existing.Id, user.Id);
        Assert.False(user.TwoFactorEnabled);
        Assert.Null(await WithUsersAsync(users => users.GetAuthenticatorKeyAsync(user)));
        Assert.Single(await WithUsersAsync(users => users.GetPasskeysAsync(user)));
    }

    [Fact]
    public async Task An_account_invited_again_keeps_only_the_passkey_it_accepts_with()
    {
        var existing = await SignIn.CreateAccountAsync(App, Email, Roles.BranchOfficer);
        using var before = await TestPasskey.AddToAsync(App, existing, "Added with the password alone");
        var invitation = await Invite.IssueAsync(App, Email, Roles.Admin);
        using var client = NewClient();
        using var passkey = TestPasskey.New();

        using var accepted = await AcceptWithPasskeyAsync(client, invitation.Path, passkey);

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        var user = await App.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == Email));
        var kept = Assert.Single(await WithUsersAsync(users => users.GetPasskeysAsync(user)));
        Assert.Equal(passkey.CredentialId, kept.CredentialId);
    }

    [Fact]
    public async Task An_account_invited_again_and_accepting_with_the_app_keeps_no_passkey_from_before()
    {
        var existing = await SignIn.CreateAccountAsync(App, Email, Roles.Admin, withAuthenticator: true);
        using var lost = await TestPasskey.AddToAsync(App, existing, "Lost phone");
        var invitation = await Invite.IssueAsync(App, Email, Roles.Admin);
        using var client = NewClient();

        var (accepted, _) = await Invite.AcceptWithAppAsync(client, invitation.Path);
        using var _ = accepted;

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        var user = await App.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == Email));
        Assert.True(user.TwoFactorEnabled);
        Assert.Empty(await WithUsersAsync(users => users.GetPasskeysAsync(user)));
    }

    /// <summary>A client whose requests carry the origin the passkeys' answers name, as a browser's do.</summary>
    private HttpClient NewClient()
    {
        var client = SignIn.NewClient(App);
        client.DefaultRequestHeaders.Add("Origin", TestPasskey.Origin);
        return client;
    }

    /// <summary>Asks for creation options as the page's script does, sending the form's fields with them.</summary>
    private static async Task<HttpResponseMessage> CreationOptionsAsync(HttpClient client, string path, string password = Invite.NewPassword)
    {
        var form = await HtmlForm.GetAsync(client, path);
        return await client.PostAsync($"{path}?handler=PasskeyOptions", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", form.Value("__RequestVerificationToken")),
            new("Input.Password", password),
            new("Input.ConfirmPassword", password),
        ]));
    }

    private static async Task<HttpResponseMessage> SubmitWithPasskeyAsync(
        HttpClient client, string path, string? credentialJson, string password = Invite.NewPassword)
    {
        var form = await HtmlForm.GetAsync(client, path);
        form.Set("Input.Password", password).Set("Input.ConfirmPassword", password);
        if (credentialJson is not null)
        {
            form.Set("CredentialJson", credentialJson);
        }

        return await form.SubmitAsync(PasskeyButton);
    }

    private static async Task<HttpResponseMessage> AcceptWithPasskeyAsync(HttpClient client, string path, TestPasskey passkey)
    {
        using var options = await CreationOptionsAsync(client, path);
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        return await SubmitWithPasskeyAsync(client, path, passkey.Attest(await options.Content.ReadAsStringAsync()));
    }

    private async Task<T> WithUsersAsync<T>(Func<UserManager<ApplicationUser>, Task<T>> work)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>());
    }
}
