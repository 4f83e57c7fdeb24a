using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Account;
using Solidarity.Web.Pages.Admin;

namespace Solidarity.Tests.Accounts;

public sealed class SignInTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public async Task Admin_with_password_and_authenticator_code_reaches_the_admin_area()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin, withAuthenticator: true);
        using var client = SignIn.NewClient(App);

        using var password = await SignIn.WithPasswordAsync(client, admin.Email, admin.Password, "/admin");
        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        Assert.StartsWith("/account/sign-in/two-factor", password.Headers.Location!.OriginalString, StringComparison.Ordinal);

        using var beforeCode = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, beforeCode.StatusCode);
        Assert.StartsWith("/account/sign-in", beforeCode.Headers.Location!.AbsolutePath, StringComparison.Ordinal);

        using var code = await SignIn.WithCodeAsync(client, password.Headers.Location.OriginalString, admin.CurrentCode());
        Assert.Equal(HttpStatusCode.Redirect, code.StatusCode);
        Assert.Equal("/admin", code.Headers.Location!.OriginalString);

        using var dashboard = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
    }

    [Fact]
    public async Task Two_factor_page_does_not_offer_admins_to_remember_the_device_and_leaves_it_off_for_others()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin, withAuthenticator: true);
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer, withAuthenticator: true);

        using var adminClient = SignIn.NewClient(App);
        using var adminPassword = await SignIn.WithPasswordAsync(adminClient, admin.Email, admin.Password);
        var adminForm = await HtmlForm.GetAsync(adminClient, adminPassword.Headers.Location!.OriginalString);
        Assert.False(adminForm.Has("Input.RememberDevice"));

        using var officerClient = SignIn.NewClient(App);
        using var officerPassword = await SignIn.WithPasswordAsync(officerClient, officer.Email, officer.Password);
        var officerForm = await HtmlForm.GetAsync(officerClient, officerPassword.Headers.Location!.OriginalString);
        Assert.True(officerForm.Has("Input.RememberDevice"));
        var box = (AngleSharp.Html.Dom.IHtmlInputElement)officerForm.Element.QuerySelector("input[type=checkbox][name='Input.RememberDevice']")!;
        Assert.False(box.IsChecked);
    }

    [Fact]
    public async Task Wrong_authenticator_code_is_refused_and_gives_no_session()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin, withAuthenticator: true);
        using var client = SignIn.NewClient(App);
        using var password = await SignIn.WithPasswordAsync(client, admin.Email, admin.Password);

        using var code = await SignIn.WithCodeAsync(client, password.Headers.Location!.OriginalString, CodeNotValidNow(admin.AuthenticatorKey!));

        Assert.Equal(HttpStatusCode.OK, code.StatusCode);
        Assert.Contains(SignInTwoFactorModel.WrongCodeMessage, await code.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var dashboard = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
    }

    [Fact]
    public async Task Admin_signs_in_with_a_recovery_code_and_the_code_works_once()
    {
        var (admin, recoveryCode) = await AdminWithRecoveryCodeAsync();

        using var client = SignIn.NewClient(App);
        var form = await RecoveryCodeFormAsync(client, admin);
        using var recovered = await form.Set("Input.Code", recoveryCode).SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, recovered.StatusCode);
        using var dashboard = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);

        using var again = SignIn.NewClient(App);
        var secondForm = await RecoveryCodeFormAsync(again, admin);
        using var reused = await secondForm.Set("Input.Code", recoveryCode).SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.Contains("already", await reused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_account_disabled_after_its_password_was_given_cannot_finish_with_a_recovery_code()
    {
        var (admin, recoveryCode) = await AdminWithRecoveryCodeAsync();
        using var client = SignIn.NewClient(App);
        var form = await RecoveryCodeFormAsync(client, admin);

        await App.WithDbAsync(db => db.Users.Where(u => u.Id == admin.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnd, DateTimeOffset.MaxValue)));
        using var refused = await form.Set("Input.Code", recoveryCode).SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        using var dashboard = await client.GetAsync("/admin");
        Assert.NotEqual(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal(10, await WithUsersAsync(async (users, user) => await users.CountRecoveryCodesAsync(user), admin.Id));
    }

    [Fact]
    public async Task Wrong_password_and_unknown_email_get_the_same_message()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = SignIn.NewClient(App);

        using var wrongPassword = await SignIn.WithPasswordAsync(client, officer.Email, "not the password at all");
        using var unknownEmail = await SignIn.WithPasswordAsync(client, "nobody@example.org", "not the password at all");

        foreach (var response in new[] { wrongPassword, unknownEmail })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await HtmlForm.ParseAsync(response);
            Assert.Equal(SignInModel.IncorrectMessage, page.QuerySelector(".form-errors li")!.TextContent.Trim());
            Assert.Null(page.QuerySelector(".field-error:not(:empty)"));
        }
    }

    [Fact]
    public async Task Sign_in_honours_a_local_return_url()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = SignIn.NewClient(App);

        using var response = await SignIn.WithPasswordAsync(client, officer.Email, officer.Password, "/disputes/past");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/disputes/past", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("https://evil.example/phish")]
    [InlineData("//evil.example/phish")]
    [InlineData("/\\evil.example/phish")]
    public async Task Sign_in_ignores_a_return_url_to_another_site(string returnUrl)
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = SignIn.NewClient(App);

        using var response = await SignIn.WithPasswordAsync(client, officer.Email, officer.Password, returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/branch", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("https://evil.example/phish")]
    [InlineData("//evil.example/phish")]
    public async Task The_sign_in_form_does_not_carry_a_return_url_to_another_site(string returnUrl)
    {
        using var client = SignIn.NewClient(App);

        var page = await client.GetPageAsync($"/account/sign-in?ReturnUrl={Uri.EscapeDataString(returnUrl)}");

        var actions = page.QuerySelectorAll("form[method=post]").Select(f => f.GetAttribute("action") ?? "").ToList();
        Assert.Equal(2, actions.Count);
        Assert.All(actions, action => Assert.DoesNotContain("evil.example", Uri.UnescapeDataString(action), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Anonymous_visitor_to_the_admin_area_is_sent_to_sign_in_with_a_return_url()
    {
        using var client = SignIn.NewClient(App);

        using var response = await client.GetAsync("/admin/disputes");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/sign-in", response.Headers.Location!.AbsolutePath);
        Assert.Contains("ReturnUrl=%2Fadmin%2Fdisputes", response.Headers.Location.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Branch_officer_gets_403_from_the_admin_area()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer, withAuthenticator: true);
        using var client = await SignIn.WithTwoFactorAsync(App, officer);

        using var admin = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.Equal("/account/access-denied", admin.Headers.Location!.AbsolutePath);

        using var denied = await client.GetAsync(admin.Headers.Location);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("Access denied", await denied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_out_is_a_post_and_ends_the_session()
    {
        var (client, _) = await SignIn.AsAdminAsync(App);
        using (client)
        {
            using var getSignOut = await client.GetAsync("/account/sign-out");
            Assert.Equal(HttpStatusCode.OK, getSignOut.StatusCode);
            using var stillIn = await client.GetAsync("/admin");
            Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);

            var form = HtmlForm.From(client, await HtmlForm.ParseAsync(getSignOut));
            using var signedOut = await form.SubmitAsync();
            Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);

            using var after = await client.GetAsync("/admin");
            Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        }
    }

    [Theory]
    [InlineData(Roles.Admin)]
    [InlineData(Roles.Moderator)]
    public async Task Admin_or_moderator_without_an_authenticator_is_refused_with_the_right_password_and_gets_no_session(string role)
    {
        var account = await SignIn.CreateAccountAsync(App, "new-admin@example.org", role);
        using var client = SignIn.NewClient(App);

        using var password = await SignIn.WithPasswordAsync(client, account.Email, account.Password, "/admin/messages");

        Assert.Equal(HttpStatusCode.OK, password.StatusCode);
        var page = await HtmlForm.ParseAsync(password);
        Assert.Equal(SignInModel.NoSecondFactorMessage, page.QuerySelector(".form-errors li")!.TextContent.Trim());
        var cookies = password.Headers.TryGetValues("Set-Cookie", out var set) ? set : [];
        Assert.DoesNotContain(cookies, c => c.StartsWith("solidarity.auth=", StringComparison.Ordinal));
        using var enrol = await client.GetAsync("/account/authenticator");
        Assert.Equal(HttpStatusCode.Redirect, enrol.StatusCode);
        Assert.Equal("/account/sign-in", enrol.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Admin_without_an_authenticator_and_a_wrong_password_gets_the_usual_message()
    {
        var admin = await SignIn.CreateAccountAsync(App, "new-admin@example.org", Roles.Admin);
        using var client = SignIn.NewClient(App);

        using var password = await SignIn.WithPasswordAsync(client, admin.Email, "not the password at all");

        var page = await HtmlForm.ParseAsync(password);
        Assert.Equal(SignInModel.IncorrectMessage, page.QuerySelector(".form-errors li")!.TextContent.Trim());
    }

    [Fact]
    public async Task A_password_only_session_of_an_account_that_became_an_admin_cannot_enrol_an_authenticator()
    {
        await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin, withAuthenticator: true);
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = SignIn.NewClient(App);
        using var password = await SignIn.WithPasswordAsync(client, officer.Email, officer.Password);
        var form = await HtmlForm.GetAsync(client, "/account/authenticator");
        await WithUsersAsync(async (users, user) => (await users.AddToRoleAsync(user, Roles.Admin)).Succeeded, officer.Id);

        using var page = await client.GetAsync("/account/authenticator");
        using var forged = await form.Set("Input.Code", "123456").SubmitAsync();

        var document = await HtmlForm.ParseAsync(page);
        Assert.Null(document.QuerySelector("[data-testid=shared-key]"));
        Assert.Contains("invitation", document.QuerySelector(".notice")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, forged.StatusCode);
        Assert.Equal("/account/access-denied", forged.Headers.Location!.AbsolutePath);
        Assert.False(await App.WithDbAsync(db => db.Users.Where(u => u.Id == officer.Id).Select(u => u.TwoFactorEnabled).SingleAsync()));
    }

    [Fact]
    public async Task Branch_officer_may_still_enrol_an_authenticator_from_a_password_session()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = SignIn.NewClient(App);
        using var password = await SignIn.WithPasswordAsync(client, officer.Email, officer.Password);

        using var enrolPage = await client.GetAsync("/account/authenticator");
        var page = await HtmlForm.ParseAsync(enrolPage);
        var key = page.QuerySelector("[data-testid=shared-key]")!.TextContent.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        using var right = await HtmlForm.From(client, page).Set("Input.Code", SignIn.Code(key)).SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.StartsWith("/account/authenticator/recovery-codes", right.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.True(await App.WithDbAsync(db => db.Users.Where(u => u.Id == officer.Id).Select(u => u.TwoFactorEnabled).SingleAsync()));
    }

    [Fact]
    public async Task Moderator_with_password_and_code_lands_on_the_messages_to_moderate()
    {
        var moderator = await SignIn.CreateAccountAsync(App, "moderator@example.org", Roles.Moderator, withAuthenticator: true);
        using var client = SignIn.NewClient(App);
        using var password = await SignIn.WithPasswordAsync(client, moderator.Email, moderator.Password);

        using var code = await SignIn.WithCodeAsync(client, password.Headers.Location!.OriginalString, moderator.CurrentCode());

        Assert.Equal("/admin/messages", code.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_completed_sign_in_is_recorded_on_the_account()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin, withAuthenticator: true);
        using var client = SignIn.NewClient(App);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        using (await SignIn.WithPasswordAsync(client, officer.Email, officer.Password))
        {
        }

        using var adminClient = SignIn.NewClient(App);
        using var adminPassword = await SignIn.WithPasswordAsync(adminClient, admin.Email, admin.Password);
        var afterPasswordOnly = await App.WithDbAsync(db => db.Users.Where(u => u.Id == admin.Id).Select(u => u.LastSignInAt).SingleAsync());
        using (await SignIn.WithCodeAsync(adminClient, adminPassword.Headers.Location!.OriginalString, admin.CurrentCode()))
        {
        }

        var times = await App.WithDbAsync(db => db.Users.ToDictionaryAsync(u => u.Id, u => u.LastSignInAt));
        Assert.True(times[officer.Id] > before, $"officer: {times[officer.Id]}");
        Assert.Null(afterPasswordOnly);
        Assert.True(times[admin.Id] > before, $"admin: {times[admin.Id]}");
    }

    [Fact]
    public async Task Session_without_a_second_factor_cannot_reset_the_authenticator()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = SignIn.NewClient(App);
        using var password = await SignIn.WithPasswordAsync(client, officer.Email, officer.Password);
        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);

        // The account gains an authenticator after this session began, as with a device remembered at an earlier sign-in.
        var keyBefore = await WithUsersAsync(async (users, user) =>
        {
            await users.ResetAuthenticatorKeyAsync(user);
            await users.SetTwoFactorEnabledAsync(user, true);
            return await users.GetAuthenticatorKeyAsync(user);
        }, officer.Id);

        using var page = await client.GetAsync("/account/authenticator");
        var document = await HtmlForm.ParseAsync(page);
        Assert.Null(document.QuerySelector("form[action*='handler=Reset']"));
        var forged = HtmlForm.From(client, document, "form[action*='handler=ForgetDevice']");
        forged.Element.Action = "/account/authenticator?handler=Reset";
        using var reset = await forged.SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        Assert.Equal("/account/access-denied", reset.Headers.Location!.AbsolutePath);
        Assert.Equal(keyBefore, await WithUsersAsync((users, user) => users.GetAuthenticatorKeyAsync(user), officer.Id));
    }

    [Fact]
    public async Task The_only_admin_who_can_sign_in_cannot_leave_the_site_without_an_app_by_replacing_theirs()
    {
        var (client, admin) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var keyBefore = await WithUsersAsync((users, user) => users.GetAuthenticatorKeyAsync(user), admin.Id);

        using var refused = await ResetAppAsync(client);

        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains(AuthenticatorModel.LastAdminMessage, WebUtility.HtmlDecode(await client.GetStringAsync(refused.Headers.Location)), StringComparison.Ordinal);
        Assert.Equal(keyBefore, await WithUsersAsync((users, user) => users.GetAuthenticatorKeyAsync(user), admin.Id));
        Assert.True(await WithUsersAsync((users, user) => users.GetTwoFactorEnabledAsync(user), admin.Id));

        // With a second admin able to sign in, the app is replaced: the old one stops working at once.
        await SignIn.CreateAccountAsync(App, "second@example.org", Roles.Admin, withAuthenticator: true);
        using var reset = await ResetAppAsync(client);

        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        Assert.NotEqual(keyBefore, await WithUsersAsync((users, user) => users.GetAuthenticatorKeyAsync(user), admin.Id));
        Assert.False(await WithUsersAsync((users, user) => users.GetTwoFactorEnabledAsync(user), admin.Id));
    }

    /// <summary>An admin with an app and ten recovery codes, and one of the codes.</summary>
    private async Task<(TestAccount Admin, string RecoveryCode)> AdminWithRecoveryCodeAsync()
    {
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin, withAuthenticator: true);
        var code = await WithUsersAsync(async (users, user) => (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.First(), admin.Id);
        return (admin, code);
    }

    /// <summary>The recovery-code form, reached by giving the password first.</summary>
    private static async Task<HtmlForm> RecoveryCodeFormAsync(HttpClient client, TestAccount account)
    {
        using var password = await SignIn.WithPasswordAsync(client, account.Email, account.Password);
        return await HtmlForm.GetAsync(client, "/account/sign-in/recovery-code");
    }

    private static async Task<HttpResponseMessage> ResetAppAsync(HttpClient client)
    {
        using var page = await client.GetAsync("/account/authenticator");
        return await HtmlForm.From(client, await HtmlForm.ParseAsync(page), "form[action*='handler=Reset']").SubmitAsync();
    }

    private async Task<T> WithUsersAsync<T>(Func<UserManager<ApplicationUser>, ApplicationUser, Task<T>> work, Guid userId)
    {
        await using var scope = App.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await work(users, (await users.FindByIdAsync(userId.ToString()))!);
    }

    private static string CodeNotValidNow(string key)
    {
        var totp = new Totp(Base32Encoding.ToBytes(key));
        var valid = Enumerable.Range(-3, 7).Select(step => totp.ComputeTotp(DateTime.UtcNow.AddSeconds(step * 30))).ToHashSet();
        return Enumerable.Range(0, 1000).Select(n => n.ToString("000000", System.Globalization.CultureInfo.InvariantCulture)).First(c => !valid.Contains(c));
    }
}
