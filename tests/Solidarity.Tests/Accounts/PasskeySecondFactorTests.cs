using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Account;
using Solidarity.Web.Pages.Admin;

namespace Solidarity.Tests.Accounts;

/// <summary>
/// A passkey as the second step after a password: offered on the two-factor page to an account that has one (beside
/// the app's code where there is an app), answered with a real signed assertion, and refused, signing no one in, when
/// the passkey is another account's.
/// </summary>
public sealed class PasskeySecondFactorTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string TwoFactorPage = "/account/sign-in/two-factor";

    [Fact]
    public async Task A_password_sign_in_of_an_account_with_a_passkey_goes_on_to_the_two_factor_page()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var _ = await TestPasskey.AddToAsync(App, officer);
        using var client = NewClient();

        using var response = await SignIn.WithPasswordAsync(client, officer.Email, officer.Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(TwoFactorPage, response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using var portal = await client.GetAsync("/branch");
        Assert.Equal(HttpStatusCode.Redirect, portal.StatusCode);
    }

    [Fact]
    public async Task An_admin_whose_only_second_factor_is_a_passkey_is_asked_for_it_and_not_for_a_code()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin);
        using var _ = await TestPasskey.AddToAsync(App, admin);
        using var client = NewClient();

        using var response = await SignIn.WithPasswordAsync(client, admin.Email, admin.Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(TwoFactorPage, response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var page = await client.GetPageAsync(TwoFactorPage);
        Assert.Equal("Use your passkey", page.QuerySelector("form[data-passkey] button")!.TextContent.Trim());
        Assert.Null(page.QuerySelector("input[name='Input.Code']"));
    }

    [Fact]
    public async Task The_passkey_is_offered_beside_the_code_of_the_app()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin, withAuthenticator: true);
        using var _ = await TestPasskey.AddToAsync(App, admin);
        using var client = NewClient();
        using (await SignIn.WithPasswordAsync(client, admin.Email, admin.Password))
        {
        }

        var page = await client.GetPageAsync(TwoFactorPage);

        Assert.NotNull(page.QuerySelector("input[name='Input.Code']"));
        Assert.NotNull(page.QuerySelector("form[data-passkey='get'][action*='handler=Passkey']"));
        Assert.NotNull(page.QuerySelector("a[href*='recovery-code']"));
    }

    [Fact]
    public async Task An_account_without_a_passkey_is_offered_only_the_code()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin, withAuthenticator: true);
        using var client = NewClient();
        using (await SignIn.WithPasswordAsync(client, admin.Email, admin.Password))
        {
        }

        var page = await client.GetPageAsync(TwoFactorPage);

        Assert.NotNull(page.QuerySelector("input[name='Input.Code']"));
        Assert.Null(page.QuerySelector("form[data-passkey]"));
    }

    [Fact]
    public async Task The_options_name_only_the_accounts_own_passkeys_and_the_code_still_works_after_them()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin, withAuthenticator: true);
        var other = await SignIn.CreateAccountAsync(App, "other@example.org", Roles.Admin);
        using var own = await TestPasskey.AddToAsync(App, admin);
        using var theirs = await TestPasskey.AddToAsync(App, other);
        using var client = NewClient();
        using (await SignIn.WithPasswordAsync(client, admin.Email, admin.Password))
        {
        }

        using var options = JsonDocument.Parse(await PasskeyOptionsAsync(client));

        var allowed = options.RootElement.GetProperty("allowCredentials").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Equal([Passkeys.EncodeId(own.CredentialId)], allowed);
        Assert.Equal("required", options.RootElement.GetProperty("userVerification").GetString());
        using var code = await SignIn.WithCodeAsync(client, TwoFactorPage, admin.CurrentCode());
        Assert.Equal(HttpStatusCode.Redirect, code.StatusCode);
        Assert.Equal("/admin", code.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Password_and_passkey_sign_an_admin_in_with_the_second_factor()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin);
        using var passkey = await TestPasskey.AddToAsync(App, admin, "Office key");
        using var client = NewClient();
        using (await SignIn.WithPasswordAsync(client, admin.Email, admin.Password))
        {
        }

        using var response = await AnswerAsync(client, passkey.Answer(await PasskeyOptionsAsync(client)));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/admin", response.Headers.Location!.OriginalString);
        using var adminArea = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, adminArea.StatusCode);
        var entry = await App.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.Action == AuditActions.PasskeySignIn));
        Assert.Equal(admin.Id, entry.UserId);
        Assert.Contains("Office key", entry.Details, StringComparison.Ordinal);
        Assert.NotNull(await App.WithDbAsync(db => db.Users.Where(u => u.Id == admin.Id).Select(u => u.LastSignInAt).SingleAsync()));
    }

    [Fact]
    public async Task Another_accounts_passkey_is_refused_and_signs_neither_account_in()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin);
        var other = await SignIn.CreateAccountAsync(App, "other@example.org", Roles.Admin);
        using var own = await TestPasskey.AddToAsync(App, admin);
        using var theirs = await TestPasskey.AddToAsync(App, other);
        using var client = NewClient();
        using (await SignIn.WithPasswordAsync(client, admin.Email, admin.Password))
        {
        }

        using var response = await AnswerAsync(client, theirs.Answer(await PasskeyOptionsAsync(client)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(SignInTwoFactorModel.OtherAccountsPasskeyMessage, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        using var adminArea = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, adminArea.StatusCode);
        Assert.StartsWith("/account/sign-in", adminArea.Headers.Location!.AbsolutePath, StringComparison.OrdinalIgnoreCase);
        using var passkeys = await client.GetAsync("/account/passkeys");
        Assert.Equal(HttpStatusCode.Redirect, passkeys.StatusCode);
        Assert.False(await App.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == AuditActions.PasskeySignIn)));
        Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync(u => u.LastSignInAt != null)));
    }

    [Fact]
    public async Task After_a_refused_passkey_the_accounts_own_passkey_still_signs_it_in()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin);
        var other = await SignIn.CreateAccountAsync(App, "other@example.org", Roles.Admin);
        using var own = await TestPasskey.AddToAsync(App, admin);
        using var theirs = await TestPasskey.AddToAsync(App, other);
        using var client = NewClient();
        using (await SignIn.WithPasswordAsync(client, admin.Email, admin.Password))
        {
        }

        using (await AnswerAsync(client, theirs.Answer(await PasskeyOptionsAsync(client))))
        {
        }

        using var response = await AnswerAsync(client, own.Answer(await PasskeyOptionsAsync(client)));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        using var adminArea = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, adminArea.StatusCode);
    }

    [Fact]
    public async Task An_answer_to_a_challenge_used_already_is_refused()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin);
        using var passkey = await TestPasskey.AddToAsync(App, admin);
        using var client = NewClient();
        using (await SignIn.WithPasswordAsync(client, admin.Email, admin.Password))
        {
        }

        var options = await PasskeyOptionsAsync(client);
        using (await AnswerAsync(client, "{}"))
        {
        }

        using var response = await AnswerAsync(client, passkey.Answer(options));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(SignInTwoFactorModel.PasskeyFailedMessage, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        using var adminArea = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, adminArea.StatusCode);
    }

    [Fact]
    public async Task An_admin_whose_only_second_factor_is_a_passkey_can_make_new_recovery_codes()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin);
        using var passkey = await TestPasskey.AddToAsync(App, admin);
        using var client = NewClient();
        using (await SignIn.WithPasswordAsync(client, admin.Email, admin.Password))
        {
        }

        using (await AnswerAsync(client, passkey.Answer(await PasskeyOptionsAsync(client))))
        {
        }

        var form = await HtmlForm.GetAsync(client, "/account/authenticator", "form[action*='handler=RecoveryCodes']");
        using var renewed = await form.SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, renewed.StatusCode);
        using var codesPage = await client.GetAsync(renewed.Headers.Location);
        var codes = (await HtmlForm.ParseAsync(codesPage)).QuerySelectorAll(".recovery-codes kbd").Select(c => c.TextContent).ToList();
        Assert.Equal(SecondFactor.RecoveryCodeCount, codes.Distinct().Count());
    }

    [Fact]
    public async Task Passkey_options_need_a_right_password_first()
    {
        using var client = NewClient();
        var form = await HtmlForm.GetAsync(client, "/account/sign-in");

        using var response = await client.PostAsync(
            TwoFactorPage + "?handler=PasskeyOptions",
            new FormUrlEncodedContent([new("__RequestVerificationToken", form.Value("__RequestVerificationToken"))]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>A client whose requests carry the origin the passkeys' answers name, as a browser's do.</summary>
    private HttpClient NewClient()
    {
        var client = SignIn.NewClient(App);
        client.DefaultRequestHeaders.Add("Origin", TestPasskey.Origin);
        return client;
    }

    private static async Task<string> PasskeyOptionsAsync(HttpClient client)
    {
        var form = await HtmlForm.GetAsync(client, TwoFactorPage, "form[data-passkey]");
        using var response = await client.PostAsync(
            TwoFactorPage + "?handler=PasskeyOptions",
            new FormUrlEncodedContent([new("__RequestVerificationToken", form.Value("__RequestVerificationToken"))]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<HttpResponseMessage> AnswerAsync(HttpClient client, string credentialJson)
    {
        var form = await HtmlForm.GetAsync(client, TwoFactorPage, "form[data-passkey]");
        return await form.Set("CredentialJson", credentialJson).SubmitAsync();
    }
}
