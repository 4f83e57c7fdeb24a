using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Accounts;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Account;
using Solidarity.Web.Pages.Admin;

namespace Solidarity.Tests.Admin;

/// <summary>
/// The people page: admins invite admins, moderators and branch officers, resend and withdraw invitations, disable and
/// enable accounts and reset second factors; every action is audited, and none may leave the site without an admin.
/// The site here sends mail to a loopback server and checks sessions against their accounts at every request (its
/// clock for that check runs ahead of the session's), as a real site does once its check interval has passed.
/// </summary>
public sealed class PeopleTests(SiteFixture fixture) : SiteTest(fixture)
{
    private LoopbackSmtp _smtp = default!;
    private WebApplicationFactory<Program> _site = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _smtp = await LoopbackSmtp.StartAsync();
        _site = App.WithWebHostBuilder(b =>
        {
            b.UseSetting("Smtp:Host", "127.0.0.1");
            b.UseSetting("Smtp:Port", _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Smtp:Security", "None");
            b.UseSetting("Site:BaseUrl", "https://solidarity.example");
            b.ConfigureTestServices(services => services.Configure<SecurityStampValidatorOptions>(
                options => options.TimeProvider = new AheadOfSessions(AccountsHosting.SessionCheckInterval * 2)));
        });
    }

    public override async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public void Sessions_are_checked_against_their_account_every_minute()
    {
        var options = App.Services.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value;

        Assert.Equal(TimeSpan.FromMinutes(1), options.ValidationInterval);
    }

    [Fact]
    public async Task The_page_shows_each_accounts_role_branch_second_factor_and_last_sign_in()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (admin, _) = await AdminAsync();
        await SignIn.CreateAccountAsync(_site, "officer@example.org", Roles.BranchOfficer, branchId: seeded.BurtonBranchId);

        var page = await HtmlForm.ParseAsync(await admin.GetAsync("/admin/people"));

        var officer = page.QuerySelector("tr[data-account='officer@example.org']")!.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal(["Branch officer", "WM7680 Burton on Trent Distribution", "No", "Never"], officer.Skip(1).Take(4));
        var self = page.QuerySelector("tr[data-account='admin@example.org']")!.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal("Admin", self[1]);
        Assert.Equal("Yes", self[3]);
        Assert.NotEqual("Never", self[4]);
    }

    [Fact]
    public async Task Inviting_a_moderator_emails_a_link_that_makes_a_moderator()
    {
        var (admin, _) = await AdminAsync();

        using var invited = await InviteAsync(admin, "moderator@example.org", Roles.Moderator);

        Assert.Equal(HttpStatusCode.Redirect, invited.StatusCode);
        var message = await _smtp.WaitForMessageAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("moderator@example.org", message.To.Mailboxes.Single().Address);
        using var invitee = SignIn.NewClient(_site);
        var (accepted, _) = await Invite.AcceptWithAppAsync(invitee, LinkPath(message.TextBody));
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        var user = await App.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == "moderator@example.org"));
        Assert.Equal([Roles.Moderator], await RolesOfAsync(user));
    }

    [Fact]
    public async Task Inviting_is_in_the_audit_log_under_the_admin()
    {
        var (admin, account) = await AdminAsync();

        using (await InviteAsync(admin, "moderator@example.org", Roles.Moderator))
        {
        }

        var entry = await App.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.Action == AuditActions.InvitationIssued));
        Assert.Equal(account.Id, entry.UserId);
        Assert.Contains("moderator@example.org", entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inviting_a_branch_officer_without_a_branch_is_refused()
    {
        var (admin, _) = await AdminAsync();

        using var refused = await InviteAsync(admin, "officer@example.org", Roles.BranchOfficer);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Choose the branch", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.Invitations.AnyAsync()));
    }

    [Fact]
    public async Task Inviting_a_branch_officer_of_a_branch_gives_the_account_that_branch()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (admin, _) = await AdminAsync();

        using (await InviteAsync(admin, "officer@example.org", Roles.BranchOfficer, seeded.LutterworthBranchId))
        {
        }

        var message = await _smtp.WaitForMessageAsync(TimeSpan.FromSeconds(10));
        using var invitee = SignIn.NewClient(_site);
        using var accepted = await Invite.SubmitAsync(invitee, LinkPath(message.TextBody));
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal(seeded.LutterworthBranchId, await App.WithDbAsync(db => db.Users.Where(u => u.Email == "officer@example.org").Select(u => u.BranchId).SingleAsync()));
    }

    [Fact]
    public async Task Resending_replaces_the_link_and_is_audited()
    {
        var (admin, _) = await AdminAsync();
        using (await InviteAsync(admin, "moderator@example.org", Roles.Moderator))
        {
        }

        var first = LinkPath((await _smtp.WaitForMessageAsync(TimeSpan.FromSeconds(10))).TextBody);

        using var resent = await ActAsync(admin, "tr[data-invitation='moderator@example.org'] form[action*='handler=Resend']");

        var second = LinkPath((await _smtp.WaitForMessageAsync(TimeSpan.FromSeconds(10))).TextBody);
        Assert.NotEqual(first, second);
        using var anonymous = SignIn.NewClient(_site);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(first)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(second)).StatusCode);
        Assert.Equal(2, await App.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.Action == AuditActions.InvitationIssued)));
    }

    [Fact]
    public async Task Withdrawing_an_invitation_stops_its_link_and_is_audited()
    {
        var (admin, _) = await AdminAsync();
        using (await InviteAsync(admin, "moderator@example.org", Roles.Moderator))
        {
        }

        var link = LinkPath((await _smtp.WaitForMessageAsync(TimeSpan.FromSeconds(10))).TextBody);

        using var withdrawn = await ActAsync(admin, "tr[data-invitation='moderator@example.org'] form[action*='handler=Revoke']");

        using var anonymous = SignIn.NewClient(_site);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(link)).StatusCode);
        Assert.True(await App.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == AuditActions.InvitationRevoked)));
    }

    [Fact]
    public async Task A_disabled_account_loses_its_open_session()
    {
        var (admin, _) = await AdminAsync();
        var moderator = await SignIn.CreateAccountAsync(_site, "moderator@example.org", Roles.Moderator, withAuthenticator: true);
        using var moderatorClient = await SignIn.WithTwoFactorAsync(_site, moderator);
        using (var before = await moderatorClient.GetAsync("/admin/messages"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var disabled = await ActAsync(admin, "tr[data-account='moderator@example.org'] form[action*='handler=Disable']");

        using var after = await moderatorClient.GetAsync("/admin/messages");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/account/sign-in", after.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task A_disabled_account_cannot_sign_in_and_the_change_is_audited()
    {
        var (admin, account) = await AdminAsync();
        var moderator = await SignIn.CreateAccountAsync(_site, "moderator@example.org", Roles.Moderator, withAuthenticator: true);

        using var disabled = await ActAsync(admin, "tr[data-account='moderator@example.org'] form[action*='handler=Disable']");

        using var client = SignIn.NewClient(_site);
        using var password = await SignIn.WithPasswordAsync(client, moderator.Email, moderator.Password);
        Assert.Equal(HttpStatusCode.OK, password.StatusCode);
        Assert.Contains(SignInModel.IncorrectMessage, await password.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var entry = await App.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.Action == AuditActions.AccountDisabled));
        Assert.Equal(account.Id, entry.UserId);
        Assert.Equal(moderator.Id.ToString(), entry.SubjectId);
    }

    [Fact]
    public async Task Disabling_withdraws_an_invitation_open_for_the_account()
    {
        var (admin, _) = await AdminAsync();
        await SignIn.CreateAccountAsync(_site, "moderator@example.org", Roles.Moderator, withAuthenticator: true);
        var invitation = await Invite.IssueAsync(_site, "moderator@example.org", Roles.Moderator);

        using var disabled = await ActAsync(admin, "tr[data-account='moderator@example.org'] form[action*='handler=Disable']");

        using var anonymous = SignIn.NewClient(_site);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(invitation.Path)).StatusCode);
    }

    [Fact]
    public async Task An_enabled_account_signs_in_again_and_the_change_is_audited()
    {
        var (admin, _) = await AdminAsync();
        var officer = await SignIn.CreateAccountAsync(_site, "officer@example.org", Roles.BranchOfficer);
        using (await ActAsync(admin, "tr[data-account='officer@example.org'] form[action*='handler=Disable']"))
        {
        }

        using var enabled = await ActAsync(admin, "tr[data-account='officer@example.org'] form[action*='handler=Enable']");

        using var client = SignIn.NewClient(_site);
        using var password = await SignIn.WithPasswordAsync(client, officer.Email, officer.Password);
        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        Assert.True(await App.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == AuditActions.AccountEnabled)));
    }

    [Fact]
    public async Task Resetting_a_second_factor_removes_the_app_the_recovery_codes_and_the_passkeys()
    {
        var (admin, _) = await AdminAsync();
        var moderator = await SignIn.CreateAccountAsync(_site, "moderator@example.org", Roles.Moderator, withAuthenticator: true);
        await WithUsersAsync(async users => await users.GenerateNewTwoFactorRecoveryCodesAsync((await users.FindByIdAsync(moderator.Id.ToString()))!, 10));
        await WithUsersAsync(async users => await users.AddOrUpdatePasskeyAsync(
            (await users.FindByIdAsync(moderator.Id.ToString()))!,
            new UserPasskeyInfo([1, 2, 3, 4], [5], DateTimeOffset.UtcNow, 0, ["internal"], true, false, false, [6], [7]) { Name = "Lost phone" }));

        using var reset = await ActAsync(admin, "tr[data-account='moderator@example.org'] form[action*='handler=ResetSecondFactor']");

        await using var scope = _site.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = (await users.FindByIdAsync(moderator.Id.ToString()))!;
        Assert.False(user.TwoFactorEnabled);
        Assert.Null(await users.GetAuthenticatorKeyAsync(user));
        Assert.Equal(0, await users.CountRecoveryCodesAsync(user));
        Assert.Empty(await users.GetPasskeysAsync(user));
        Assert.True(await App.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == AuditActions.SecondFactorReset && e.SubjectId == moderator.Id.ToString())));
    }

    [Fact]
    public async Task Resetting_a_second_factor_ends_the_accounts_sessions()
    {
        var (admin, _) = await AdminAsync();
        var moderator = await SignIn.CreateAccountAsync(_site, "moderator@example.org", Roles.Moderator, withAuthenticator: true);
        using var moderatorClient = await SignIn.WithTwoFactorAsync(_site, moderator);

        using var reset = await ActAsync(admin, "tr[data-account='moderator@example.org'] form[action*='handler=ResetSecondFactor']");

        using var after = await moderatorClient.GetAsync("/admin/messages");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/account/sign-in", after.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Resetting_a_second_factor_emails_an_invitation_that_enrols_a_new_app_on_the_same_account()
    {
        var (admin, _) = await AdminAsync();
        var moderator = await SignIn.CreateAccountAsync(_site, "moderator@example.org", Roles.Moderator, withAuthenticator: true);

        using var reset = await ActAsync(admin, "tr[data-account='moderator@example.org'] form[action*='handler=ResetSecondFactor']");

        var message = await _smtp.WaitForMessageAsync(TimeSpan.FromSeconds(10));
        using var invitee = SignIn.NewClient(_site);
        var (accepted, key) = await Invite.AcceptWithAppAsync(invitee, LinkPath(message.TextBody));
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.NotEqual(moderator.AuthenticatorKey, key);
        var user = await App.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == moderator.Email));
        Assert.Equal(moderator.Id, user.Id);
        Assert.True(user.TwoFactorEnabled);
    }

    [Fact]
    public async Task The_last_active_admin_cannot_be_disabled()
    {
        var (admin, account) = await AdminAsync();

        using var refused = await ActAsync(admin, "tr[data-account='admin@example.org'] form[action*='handler=Disable']");

        var page = await HtmlForm.ParseAsync(await admin.GetAsync("/admin/people"));
        Assert.Contains("last active admin", page.QuerySelector(".form-errors")!.TextContent, StringComparison.Ordinal);
        Assert.Null(await App.WithDbAsync(db => db.Users.Where(u => u.Id == account.Id).Select(u => u.LockoutEnd).SingleAsync()));
        Assert.False(await App.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == AuditActions.AccountDisabled)));
    }

    [Fact]
    public async Task The_last_active_admin_cannot_have_the_second_factor_reset()
    {
        var (admin, account) = await AdminAsync();

        using var refused = await ActAsync(admin, "tr[data-account='admin@example.org'] form[action*='handler=ResetSecondFactor']");

        var page = await HtmlForm.ParseAsync(await admin.GetAsync("/admin/people"));
        Assert.Contains("last active admin", page.QuerySelector(".form-errors")!.TextContent, StringComparison.Ordinal);
        Assert.True(await App.WithDbAsync(db => db.Users.Where(u => u.Id == account.Id).Select(u => u.TwoFactorEnabled).SingleAsync()));
        Assert.False(await App.WithDbAsync(db => db.Invitations.AnyAsync()));
    }

    [Fact]
    public async Task With_a_second_active_admin_an_admin_can_be_disabled()
    {
        var (admin, _) = await AdminAsync();
        var other = await SignIn.CreateAccountAsync(_site, "other-admin@example.org", Roles.Admin, withAuthenticator: true);

        using var disabled = await ActAsync(admin, "tr[data-account='other-admin@example.org'] form[action*='handler=Disable']");

        Assert.NotNull(await App.WithDbAsync(db => db.Users.Where(u => u.Id == other.Id).Select(u => u.LockoutEnd).SingleAsync()));
    }

    [Fact]
    public async Task An_admin_without_an_app_does_not_count_as_a_second_active_admin()
    {
        var (admin, account) = await AdminAsync();
        await SignIn.CreateAccountAsync(_site, "pending-admin@example.org", Roles.Admin);

        using var refused = await ActAsync(admin, "tr[data-account='admin@example.org'] form[action*='handler=Disable']");

        Assert.Null(await App.WithDbAsync(db => db.Users.Where(u => u.Id == account.Id).Select(u => u.LockoutEnd).SingleAsync()));
    }

    [Fact]
    public async Task An_admin_whose_only_second_factor_is_a_passkey_counts_as_a_second_active_admin()
    {
        var (admin, account) = await AdminAsync();
        var other = await SignIn.CreateAccountAsync(_site, "passkey-admin@example.org", Roles.Admin);
        using var passkey = await TestPasskey.AddToAsync(_site, other);

        using var disabled = await ActAsync(admin, "tr[data-account='admin@example.org'] form[action*='handler=Disable']");

        Assert.NotNull(await App.WithDbAsync(db => db.Users.Where(u => u.Id == account.Id).Select(u => u.LockoutEnd).SingleAsync()));
    }

    [Fact]
    public async Task The_page_shows_a_passkey_as_a_second_factor()
    {
        var (admin, _) = await AdminAsync();
        var moderator = await SignIn.CreateAccountAsync(_site, "moderator@example.org", Roles.Moderator);
        using var passkey = await TestPasskey.AddToAsync(_site, moderator);

        var page = await HtmlForm.ParseAsync(await admin.GetAsync("/admin/people"));

        var row = page.QuerySelector("tr[data-account='moderator@example.org']")!.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal("Yes", row[3]);
    }

    [Fact]
    public async Task After_a_reset_a_moderator_whose_second_factor_was_a_passkey_is_refused_at_sign_in()
    {
        var (admin, _) = await AdminAsync();
        var moderator = await SignIn.CreateAccountAsync(_site, "moderator@example.org", Roles.Moderator);
        using var passkey = await TestPasskey.AddToAsync(_site, moderator);

        using var reset = await ActAsync(admin, "tr[data-account='moderator@example.org'] form[action*='handler=ResetSecondFactor']");

        Assert.False(await App.WithDbAsync(db => db.Set<IdentityUserPasskey<Guid>>().AnyAsync(p => p.UserId == moderator.Id)));
        using var client = SignIn.NewClient(_site);
        using var response = await SignIn.WithPasswordAsync(client, moderator.Email, moderator.Password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(SignInModel.NoSecondFactorMessage, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    private async Task<(HttpClient Client, TestAccount Account)> AdminAsync() => await SignIn.AsAdminAsync(_site);

    private static async Task<HttpResponseMessage> InviteAsync(HttpClient admin, string email, string role, Guid? branchId = null)
    {
        var form = await HtmlForm.GetAsync(admin, "/admin/people", "#invite-form");
        form.Set("Input.Email", email).Set("Input.Role", role);
        if (branchId is not null)
        {
            form.Set("Input.BranchId", branchId.ToString());
        }

        return await form.SubmitAsync();
    }

    /// <summary>Presses one of the page's buttons (a form per button) and expects the redirect back to the page.</summary>
    private static async Task<HttpResponseMessage> ActAsync(HttpClient admin, string formSelector)
    {
        var form = await HtmlForm.GetAsync(admin, "/admin/people", formSelector);
        var response = await form.SubmitAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{formSelector}: {(int)response.StatusCode}");
        return response;
    }

    private static string LinkPath(string? body)
    {
        var link = (body ?? "").Split('\n').Select(l => l.Trim()).Single(l => l.Contains(Invitations.PathPrefix, StringComparison.Ordinal));
        return new Uri(link).AbsolutePath;
    }

    private async Task<IList<string>> RolesOfAsync(ApplicationUser user) =>
        await WithUsersAsync(users => users.GetRolesAsync(user));

    private async Task<T> WithUsersAsync<T>(Func<UserManager<ApplicationUser>, Task<T>> work)
    {
        await using var scope = _site.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>());
    }

    /// <summary>A clock ahead of the sessions' own, so every request is one at which the session is due a check.</summary>
    private sealed class AheadOfSessions(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + ahead;
    }
}
