using System.Net;
using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Accounts;
using Solidarity.Core.Disputes;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Accounts;

/// <summary>
/// Branch officers are offered a second factor (an authenticator app or a passkey), and reminded on their portal at
/// every sign-in until they set one up.
/// </summary>
public sealed class OfficerSecondFactorTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public async Task An_officer_without_a_second_factor_lands_on_the_portal_with_a_reminder_linking_to_enrolment()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer, branchId: await BranchAsync());
        using var client = SignIn.NewClient(App);

        using var signedIn = await SignIn.WithPasswordAsync(client, officer.Email, officer.Password);

        Assert.Equal("/branch", signedIn.Headers.Location!.OriginalString);
        var reminder = (await PortalAsync(client)).QuerySelector("[data-testid=second-factor-reminder]");
        Assert.NotNull(reminder);
        Assert.StartsWith("/account/authenticator", reminder.QuerySelector("a")!.GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_the_authenticator_page_gives_a_first_key_and_ends_no_other_session_of_the_account()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer, branchId: await BranchAsync());
        using var client = SignIn.NewClient(App);
        using (await SignIn.WithPasswordAsync(client, officer.Email, officer.Password))
        {
        }

        var stamp = await SecurityStampAsync(officer.Email);

        // A link from any site, followed by a signed-in browser: the page makes the account's first key.
        var key = await Invite.KeyAsync(client, "/account/authenticator");

        Assert.False(string.IsNullOrEmpty(key));
        Assert.Equal(stamp, await SecurityStampAsync(officer.Email));
        Assert.Equal(key, await Invite.KeyAsync(client, "/account/authenticator"));
    }

    private Task<string?> SecurityStampAsync(string email) =>
        App.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.SecurityStamp).SingleAsync());

    [Fact]
    public async Task Enrolling_an_app_ends_the_reminder_and_the_next_sign_in_asks_for_a_code()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer, branchId: await BranchAsync());
        using var client = SignIn.NewClient(App);
        using (await SignIn.WithPasswordAsync(client, officer.Email, officer.Password))
        {
        }

        var key = await Invite.KeyAsync(client, "/account/authenticator?returnUrl=/branch");
        var form = await HtmlForm.GetAsync(client, "/account/authenticator?returnUrl=/branch");
        using var enrolled = await form.Set("Input.Code", SignIn.Code(key)).SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, enrolled.StatusCode);
        Assert.Null((await PortalAsync(client)).QuerySelector("[data-testid=second-factor-reminder]"));
        using var fresh = SignIn.NewClient(App);
        using var again = await SignIn.WithPasswordAsync(fresh, officer.Email, officer.Password);
        Assert.StartsWith("/account/sign-in/two-factor", again.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_a_passkey_ends_the_reminder_and_the_next_sign_in_asks_for_it()
    {
        var (officer, client) = await OfficerSignedInForPasskeysAsync();
        using var _ = client;

        using var passkey = TestPasskey.New();
        var form = await HtmlForm.GetAsync(client, "/account/passkeys", "form[data-passkey]");
        using var options = await client.PostAsync(
            "/account/passkeys?handler=CreationOptions",
            new FormUrlEncodedContent([new("__RequestVerificationToken", form.Value("__RequestVerificationToken"))]));
        using var added = await form.Set("CredentialJson", passkey.Attest(await options.Content.ReadAsStringAsync())).SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Equal(officer.Id, passkey.UserId);
        Assert.Null((await PortalAsync(client)).QuerySelector("[data-testid=second-factor-reminder]"));
        using var fresh = SignIn.NewClient(App);
        using var again = await SignIn.WithPasswordAsync(fresh, officer.Email, officer.Password);
        Assert.StartsWith("/account/sign-in/two-factor", again.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    /// <summary>The device would keep a passkey the account never got: the name is refused before the device is asked.</summary>
    [Fact]
    public async Task A_passkey_name_the_site_would_refuse_is_refused_before_the_device_makes_the_passkey()
    {
        var (_, client) = await OfficerSignedInForPasskeysAsync();
        using var _ = client;

        var form = await HtmlForm.GetAsync(client, "/account/passkeys", "form[data-passkey]");
        using var options = await client.PostAsync(
            "/account/passkeys?handler=CreationOptions",
            new FormUrlEncodedContent([new("__RequestVerificationToken", form.Value("__RequestVerificationToken")), new("Name", new string('x', 101))]));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, options.StatusCode);
        using var shown = await form.Set("Name", new string('x', 101)).SubmitAsync();
        Assert.Contains("at most 100 characters", (await HtmlForm.ParseAsync(shown)).QuerySelector("[data-valmsg-for='Name']")!.TextContent, StringComparison.Ordinal);
    }

    /// <summary>A branch officer with a password only, signed in from the origin passkeys are made for.</summary>
    private async Task<(TestAccount Officer, HttpClient Client)> OfficerSignedInForPasskeysAsync()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer, branchId: await BranchAsync());
        var client = SignIn.NewClient(App);
        client.DefaultRequestHeaders.Add("Origin", TestPasskey.Origin);
        using (await SignIn.WithPasswordAsync(client, officer.Email, officer.Password))
        {
        }

        return (officer, client);
    }

    private static async Task<AngleSharp.Dom.IDocument> PortalAsync(HttpClient client)
    {
        using var portal = await client.GetAsync("/branch");
        Assert.Equal(HttpStatusCode.OK, portal.StatusCode);
        return await HtmlForm.ParseAsync(portal);
    }

    private async Task<Guid> BranchAsync()
    {
        var branch = new Branch
        {
            Code = "WM7680", Name = "Burton on Trent", Union = new Union { Name = "Unite" }, PostalAddress = "1 Example Street", ContactName = "A. Secretary",
        };
        await App.WithDbAsync(db =>
        {
            db.Branches.Add(branch);
            return db.SaveChangesAsync();
        });
        return branch.Id;
    }
}
