using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
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
/// An invitation link makes (or updates) an account: a password chosen under Identity's rules, for admins and
/// moderators an authenticator app enrolled in the same step, recovery codes shown once. The link works once, for 48
/// hours, and a newer invitation withdraws it; a link that does not work says so and nothing more.
/// </summary>
public sealed class InvitationTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string Email = "new-admin@example.org";

    [Fact]
    public async Task Accepting_an_admin_invitation_sets_the_password_enrols_the_app_and_opens_the_admin_area()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Admin);
        using var client = SignIn.NewClient(App);

        var (accepted, key) = await Invite.AcceptWithAppAsync(client, invitation.Path);

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.StartsWith("/account/authenticator/recovery-codes", accepted.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using var dashboard = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        var user = await App.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == Email));
        Assert.True(user.TwoFactorEnabled);
        Assert.NotNull(user.LastSignInAt);
        Assert.Equal(key, await WithUsersAsync(users => users.GetAuthenticatorKeyAsync(user)));
        Assert.Equal([Roles.Admin], await WithUsersAsync(users => users.GetRolesAsync(user)));
    }

    [Fact]
    public async Task Two_admins_who_invited_each_other_to_another_role_cannot_both_accept_and_leave_no_admin()
    {
        await SignIn.CreateAccountAsync(App, "first@example.org", Roles.Admin, withAuthenticator: true);
        await SignIn.CreateAccountAsync(App, "second@example.org", Roles.Admin, withAuthenticator: true);
        var first = await Invite.IssueAsync(App, "first@example.org", Roles.Moderator);
        var second = await Invite.IssueAsync(App, "second@example.org", Roles.Moderator);

        using var firstClient = SignIn.NewClient(App);
        var (firstAccepted, _) = await Invite.AcceptWithAppAsync(firstClient, first.Path);
        using var __ = firstAccepted;
        using var secondClient = SignIn.NewClient(App);
        var (secondAccepted, _) = await Invite.AcceptWithAppAsync(secondClient, second.Path);
        using var ___ = secondAccepted;

        Assert.Equal(HttpStatusCode.Redirect, firstAccepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, secondAccepted.StatusCode);
        Assert.Contains(Invitations.LastAdminMessage, WebUtility.HtmlDecode(await secondAccepted.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        var admins = await App.WithDbAsync(db => db.Users
            .Where(u => db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == Roles.Admin)))
            .Select(u => u.Email).ToListAsync());
        Assert.Equal(["second@example.org"], admins);
        Assert.Null(await App.WithDbAsync(db => db.Invitations.Where(i => i.Email == "second@example.org").Select(i => i.AcceptedAt).SingleAsync()));
    }

    [Fact]
    public async Task Recovery_codes_are_shown_once_after_accepting()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Moderator);
        using var client = SignIn.NewClient(App);
        var (accepted, _) = await Invite.AcceptWithAppAsync(client, invitation.Path);

        using var codesPage = await client.GetAsync(accepted.Headers.Location);
        var codes = (await HtmlForm.ParseAsync(codesPage)).QuerySelectorAll(".recovery-codes kbd").Select(c => c.TextContent).ToList();
        using var again = await client.GetAsync(accepted.Headers.Location);

        Assert.Equal(SecondFactor.RecoveryCodeCount, codes.Distinct().Count());
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        var continueLink = (await HtmlForm.ParseAsync(codesPage)).QuerySelector("a.button")!.GetAttribute("href");
        Assert.Equal("/admin/messages", continueLink);
    }

    [Fact]
    public async Task After_accepting_the_next_sign_in_asks_for_the_password_chosen_and_a_code()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Admin);
        using (var client = SignIn.NewClient(App))
        {
            await Invite.AcceptWithAppAsync(client, invitation.Path);
        }

        using var fresh = SignIn.NewClient(App);
        using var password = await SignIn.WithPasswordAsync(fresh, Email, Invite.NewPassword);

        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        Assert.StartsWith("/account/sign-in/two-factor", password.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepting_is_in_the_audit_log_under_the_new_account()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Admin);
        using var client = SignIn.NewClient(App);
        await Invite.AcceptWithAppAsync(client, invitation.Path);

        var entry = await App.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.Action == AuditActions.InvitationAccepted));
        var userId = await App.WithDbAsync(db => db.Users.Where(u => u.Email == Email).Select(u => u.Id).SingleAsync());
        Assert.Equal(userId, entry.UserId);
        Assert.Equal(Email, entry.UserName);
        Assert.Equal(userId.ToString(), entry.SubjectId);
    }

    [Fact]
    public async Task A_wrong_code_saves_nothing_and_the_link_still_works()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Admin);
        using var client = SignIn.NewClient(App);
        var key = await Invite.KeyAsync(client, invitation.Path);

        using var wrong = await Invite.SubmitAsync(client, invitation.Path, code: CodeNotValidNow(key));

        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains(Invitations.CodeMismatch, await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync()));
        Assert.Equal(key, await Invite.KeyAsync(client, invitation.Path));
        using var right = await Invite.SubmitAsync(client, invitation.Path, code: SignIn.Code(key));
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
    }

    [Fact]
    public async Task A_password_breaking_the_rules_is_refused_with_the_reasons_and_nothing_is_saved()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Admin);
        using var client = SignIn.NewClient(App);
        var key = await Invite.KeyAsync(client, invitation.Path);

        using var weak = await Invite.SubmitAsync(client, invitation.Path, "picketline12", SignIn.Code(key));

        Assert.Equal(HttpStatusCode.OK, weak.StatusCode);
        var page = await HtmlForm.ParseAsync(weak);
        Assert.Contains("uppercase", page.QuerySelector("[data-valmsg-for='Input.Password']")!.TextContent, StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync()));
        Assert.Null(await App.WithDbAsync(db => db.Invitations.Select(i => i.AcceptedAt).SingleAsync()));
    }

    [Fact]
    public async Task A_moderator_must_give_a_code_from_the_app()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Moderator);
        using var client = SignIn.NewClient(App);

        using var noCode = await Invite.SubmitAsync(client, invitation.Path, code: "");

        Assert.Equal(HttpStatusCode.OK, noCode.StatusCode);
        Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync()));
    }

    [Fact]
    public async Task A_used_link_answers_a_plain_page_that_names_no_account()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Admin);
        using (var client = SignIn.NewClient(App))
        {
            await Invite.AcceptWithAppAsync(client, invitation.Path);
        }

        using var stranger = SignIn.NewClient(App);
        using var again = await stranger.GetAsync(invitation.Path);

        await AssertDoesNotWorkAsync(again);
    }

    [Fact]
    public async Task A_used_link_cannot_be_posted_to_again()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Admin);
        using var client = SignIn.NewClient(App);
        using var other = SignIn.NewClient(App);
        var key = await Invite.KeyAsync(client, invitation.Path);
        var form = await HtmlForm.GetAsync(other, invitation.Path);
        using (await Invite.SubmitAsync(client, invitation.Path, code: SignIn.Code(key)))
        {
        }

        using var replay = await form.Set("Input.Password", "Another password 2026").Set("Input.ConfirmPassword", "Another password 2026")
            .Set("Input.Code", SignIn.Code(key)).SubmitAsync();

        await AssertDoesNotWorkAsync(replay);
        var user = await App.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync());
        Assert.True(await WithUsersAsync(users => users.CheckPasswordAsync(user, Invite.NewPassword)));
    }

    [Fact]
    public async Task An_expired_link_does_not_work()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Admin);
        await App.WithDbAsync(db => db.Invitations.ExecuteUpdateAsync(i => i.SetProperty(x => x.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));
        using var client = SignIn.NewClient(App);

        using var response = await client.GetAsync(invitation.Path);

        await AssertDoesNotWorkAsync(response);
    }

    [Fact]
    public async Task A_link_lasts_48_hours()
    {
        var before = DateTimeOffset.UtcNow;
        await Invite.IssueAsync(App, Email, Roles.Admin);

        var stored = await App.WithDbAsync(db => db.Invitations.SingleAsync());

        Assert.InRange(stored.ExpiresAt - stored.CreatedAt, TimeSpan.FromHours(48), TimeSpan.FromHours(48));
        Assert.InRange(stored.CreatedAt, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task A_revoked_link_does_not_work()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Admin);
        await using (var scope = App.Scope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<Invitations>().RevokeAsync(invitation.Id, Actor.CommandLine, CancellationToken.None));
        }

        using var client = SignIn.NewClient(App);
        using var response = await client.GetAsync(invitation.Path);

        await AssertDoesNotWorkAsync(response);
    }

    [Fact]
    public async Task A_made_up_link_gets_the_same_answer()
    {
        using var client = SignIn.NewClient(App);

        using var response = await client.GetAsync(Invitations.PathPrefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32)));

        await AssertDoesNotWorkAsync(response);
    }

    [Fact]
    public async Task Reissuing_for_the_same_address_withdraws_the_older_link()
    {
        var first = await Invite.IssueAsync(App, Email, Roles.Admin);
        var second = await Invite.IssueAsync(App, "NEW-ADMIN@example.org", Roles.Admin);
        using var client = SignIn.NewClient(App);

        using var old = await client.GetAsync(first.Path);
        using var current = await client.GetAsync(second.Path);

        await AssertDoesNotWorkAsync(old);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal(1, await App.WithDbAsync(db => db.Invitations.CountAsync(i => i.RevokedAt == null)));
    }

    [Fact]
    public async Task Only_the_hash_of_the_token_is_stored()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Admin);
        var token = invitation.Path[Invitations.PathPrefix.Length..];

        var stored = await App.WithDbAsync(db => db.Invitations.AsNoTracking().SingleAsync());

        Assert.Equal(32, WebEncoders.Base64UrlDecode(token).Length);
        Assert.Equal(SHA256.HashData(WebEncoders.Base64UrlDecode(token)), stored.TokenHash);
        var row = await App.WithDbAsync(db => db.Database.SqlQuery<string>($"SELECT row_to_json(i)::text AS \"Value\" FROM \"Invitations\" i").SingleAsync());
        Assert.DoesNotContain(token, row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepting_for_an_address_that_has_an_account_updates_that_account()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var officer = await SignIn.CreateAccountAsync(App, Email, Roles.BranchOfficer, branchId: seeded.BurtonBranchId);
        var invitation = await Invite.IssueAsync(App, Email, Roles.Moderator);
        using var client = SignIn.NewClient(App);

        var (accepted, _) = await Invite.AcceptWithAppAsync(client, invitation.Path);

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        var user = await App.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync());
        Assert.Equal(officer.Id, user.Id);
        Assert.Null(user.BranchId);
        Assert.True(user.TwoFactorEnabled);
        Assert.Equal([Roles.Moderator], await WithUsersAsync(users => users.GetRolesAsync(user)));
        Assert.True(await WithUsersAsync(users => users.CheckPasswordAsync(user, Invite.NewPassword)));
        Assert.False(await WithUsersAsync(users => users.CheckPasswordAsync(user, officer.Password)));
    }

    [Fact]
    public async Task A_branch_officer_invitation_asks_only_for_a_password_and_leads_to_the_branch()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var invitation = await Invite.IssueAsync(App, "officer@example.org", Roles.BranchOfficer, seeded.BurtonBranchId);
        using var client = SignIn.NewClient(App);

        var form = await HtmlForm.GetAsync(client, invitation.Path);
        Assert.False(form.Has("Input.Code"));
        using var accepted = await Invite.SubmitAsync(client, invitation.Path);

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal("/branch", accepted.Headers.Location!.OriginalString);
        using var portal = await client.GetAsync("/branch");
        Assert.Equal(HttpStatusCode.OK, portal.StatusCode);
        var user = await App.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync());
        Assert.Equal(seeded.BurtonBranchId, user.BranchId);
    }

    [Theory]
    [InlineData("o'brien@example.org")]
    [InlineData("jos\u00e9@example.org")]
    public async Task An_address_with_an_apostrophe_or_an_accent_gets_an_account_it_can_sign_in_with(string email)
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var invitation = await Invite.IssueAsync(App, email, Roles.BranchOfficer, seeded.BurtonBranchId);
        using var client = SignIn.NewClient(App);

        using var accepted = await Invite.SubmitAsync(client, invitation.Path);

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        var user = await App.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync());
        Assert.Equal((email, email), (user.UserName, user.Email));
        using var portal = await client.GetAsync("/branch");
        Assert.Equal(HttpStatusCode.OK, portal.StatusCode);
    }

    [Theory]
    [InlineData("jo smith@example.org")]
    [InlineData("jo@example")]
    [InlineData("Jo <jo@example.org>")]
    public async Task An_address_no_email_could_be_sent_to_is_refused_before_anything_is_made(string email)
    {
        await using var scope = App.Scope();

        var result = await scope.ServiceProvider.GetRequiredService<Invitations>()
            .IssueAsync(new InvitationRequest(email, Roles.Admin), Actor.CommandLine, CancellationToken.None);

        Assert.Equal((null, Invitations.NotAnAddressMessage), (result.Issued, result.Refusal));
        Assert.Equal(0, await App.WithDbAsync(db => db.Invitations.CountAsync()));
    }

    [Fact]
    public async Task A_branch_officer_invitation_needs_a_branch()
    {
        await using var scope = App.Scope();

        var result = await scope.ServiceProvider.GetRequiredService<Invitations>()
            .IssueAsync(new InvitationRequest("officer@example.org", Roles.BranchOfficer), Actor.CommandLine, CancellationToken.None);

        Assert.Null(result.Issued);
        Assert.Contains("branch", result.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_invitation_page_is_never_cached()
    {
        var invitation = await Invite.IssueAsync(App, Email, Roles.Admin);
        using var client = SignIn.NewClient(App);

        using var page = await client.GetAsync(invitation.Path);

        Assert.True(page.Headers.CacheControl!.NoStore);
    }

    private static async Task AssertDoesNotWorkAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var page = await HtmlForm.ParseAsync(response);
        Assert.Equal("This link does not work", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Null(page.QuerySelector("main form"));
        Assert.DoesNotContain("@example.org", page.Body!.TextContent, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<T> WithUsersAsync<T>(Func<UserManager<ApplicationUser>, Task<T>> work)
    {
        await using var scope = App.Scope();
        return await work(scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>());
    }

    private static string CodeNotValidNow(string key)
    {
        var totp = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(key));
        var valid = Enumerable.Range(-3, 7).Select(step => totp.ComputeTotp(DateTime.UtcNow.AddSeconds(step * 30))).ToHashSet();
        return Enumerable.Range(0, 1000).Select(n => n.ToString("000000", System.Globalization.CultureInfo.InvariantCulture)).First(c => !valid.Contains(c));
    }
}
