using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Account;
using Solidarity.Web.Pages.Admin;

namespace Solidarity.Tests.Accounts;

/// <summary>
/// Changing a password when signed in (the current one first), and resetting a forgotten one by an emailed link that
/// works once: the same answer whether or not the address has an account, a few an hour per address and per client,
/// and never a way round the second factor.
/// </summary>
public sealed partial class PasswordTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string NewPassword = "Picket line at dawn 2026";

    [Fact]
    public async Task Changing_the_password_needs_the_current_one_and_keeps_the_session()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = SignIn.NewClient(App);
        using (await SignIn.WithPasswordAsync(client, officer.Email, officer.Password))
        {
        }

        using var changed = await ChangeAsync(client, officer.Password, NewPassword);

        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        using var after = await client.GetAsync("/account/password");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Contains(ChangePasswordModel.ChangedNotice, WebUtility.HtmlDecode(await after.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        using var fresh = SignIn.NewClient(App);
        using var withNew = await SignIn.WithPasswordAsync(fresh, officer.Email, NewPassword);
        Assert.Equal(HttpStatusCode.Redirect, withNew.StatusCode);
        var entry = await App.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.Action == AuditActions.PasswordChanged));
        Assert.Equal(officer.Id, entry.UserId);
    }

    [Fact]
    public async Task A_wrong_current_password_changes_nothing()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = SignIn.NewClient(App);
        using (await SignIn.WithPasswordAsync(client, officer.Email, officer.Password))
        {
        }

        using var refused = await ChangeAsync(client, "Not the password 2026", NewPassword);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains(ChangePasswordModel.WrongCurrentMessage, WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.True(await CheckPasswordAsync(officer.Id, officer.Password));
    }

    [Fact]
    public async Task A_new_password_breaking_the_rules_is_refused_with_the_reasons()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = SignIn.NewClient(App);
        using (await SignIn.WithPasswordAsync(client, officer.Email, officer.Password))
        {
        }

        using var refused = await ChangeAsync(client, officer.Password, "picketline12");

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await HtmlForm.ParseAsync(refused);
        Assert.Contains("uppercase", page.QuerySelector("[data-valmsg-for='Input.Password']")!.TextContent, StringComparison.Ordinal);
        Assert.True(await CheckPasswordAsync(officer.Id, officer.Password));
        Assert.False(await App.WithDbAsync(db => db.AuditEntries.AnyAsync()));
    }

    [Fact]
    public async Task An_admin_changing_the_password_keeps_the_admin_area()
    {
        var (client, admin) = await SignIn.AsAdminAsync(App);
        using (client)
        {
            using var changed = await ChangeAsync(client, admin.Password, NewPassword);
            Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

            using var dashboard = await client.GetAsync("/admin");
            Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        }
    }

    [Fact]
    public async Task Asking_for_a_reset_answers_the_same_with_or_without_an_account_and_emails_only_an_account()
    {
        await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = SignIn.NewClient(App);

        var known = await AskAsync(client, "officer@example.org");
        var unknown = await AskAsync(client, "nobody@example.org");

        Assert.Equal(HttpStatusCode.OK, known.Status);
        Assert.Equal(HttpStatusCode.OK, unknown.Status);
        Assert.Equal(known.Answer, unknown.Answer);
        Assert.Equal(ForgotPasswordModel.SentMessage, known.Answer);
        Assert.Equal(1, await App.WithDbAsync(db => db.EmailDeliveries.CountAsync(d => d.Key.StartsWith("password-reset:"))));
    }

    [Fact]
    public async Task Resets_are_limited_per_address_whether_or_not_it_has_an_account()
    {
        using var client = SignIn.NewClient(App);
        for (var i = 0; i < PasswordResets.PerAddressPerHour; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await AskAsync(client, "nobody@example.org")).Status);
        }

        var refused = await AskAsync(client, "nobody@example.org");
        var other = await AskAsync(client, "someone-else@example.org");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal(ForgotPasswordModel.TooManyMessage, refused.Answer);
        Assert.Equal(HttpStatusCode.OK, other.Status);
    }

    [Fact]
    public async Task Resets_are_limited_per_client()
    {
        using var client = SignIn.NewClient(App);
        for (var i = 0; i < PasswordResets.PerClientPerHour; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await AskAsync(client, $"person{i}@example.org")).Status);
        }

        var refused = await AskAsync(client, "one-more@example.org");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
    }

    [Fact]
    public async Task The_emailed_link_sets_a_new_password_once_and_the_admin_still_needs_the_app()
    {
        await using var smtp = await LoopbackSmtp.StartAsync();
        await using var site = WithMail(smtp.Port);
        var admin = await SignIn.CreateAccountAsync(site, "admin@example.org", Roles.Admin, withAuthenticator: true);
        using var client = SignIn.NewClient(site);
        await AskAsync(client, admin.Email);

        await RunJobAsync(site, admin.Id);
        var link = LinkIn((await smtp.WaitForMessageAsync(TimeSpan.FromSeconds(10))).TextBody ?? "");
        var form = await HtmlForm.GetAsync(client, link);
        using var reset = await form.Set("Input.Password", NewPassword).Set("Input.ConfirmPassword", NewPassword).SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        Assert.StartsWith("/account/sign-in", reset.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using var again = await client.GetAsync(link);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        using var signIn = await SignIn.WithPasswordAsync(client, admin.Email, NewPassword);
        Assert.StartsWith("/account/sign-in/two-factor", signIn.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using var dashboard = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
        Assert.True(await App.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == AuditActions.PasswordReset && e.UserId == admin.Id)));
    }

    [Fact]
    public async Task The_email_job_run_twice_sends_one_email()
    {
        await using var smtp = await LoopbackSmtp.StartAsync();
        await using var site = WithMail(smtp.Port);
        var officer = await SignIn.CreateAccountAsync(site, "officer@example.org", Roles.BranchOfficer);
        using var client = SignIn.NewClient(site);
        await AskAsync(client, officer.Email);

        await RunJobAsync(site, officer.Id);
        await smtp.WaitForMessageAsync(TimeSpan.FromSeconds(10));
        await RunJobAsync(site, officer.Id);

        Assert.Single(smtp.Messages);
    }

    [Fact]
    public async Task A_made_up_link_does_not_work()
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var client = SignIn.NewClient(App);

        using var response = await client.GetAsync($"/account/reset-password?user={officer.Id}&token=bm90LWEtdG9rZW4");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("This link does not work", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> ChangeAsync(HttpClient client, string current, string next)
    {
        var form = await HtmlForm.GetAsync(client, "/account/password");
        return await form.Set("Input.CurrentPassword", current).Set("Input.Password", next).Set("Input.ConfirmPassword", next).SubmitAsync();
    }

    private static async Task<(HttpStatusCode Status, string Answer)> AskAsync(HttpClient client, string email)
    {
        var form = await HtmlForm.GetAsync(client, "/account/forgot-password");
        using var response = await form.Set("Input.Email", email).SubmitAsync();
        var page = await HtmlForm.ParseAsync(response);
        var answer = page.QuerySelector("[data-testid=reset-sent], .form-errors li")?.TextContent.Trim() ?? "(no answer)";
        return (response.StatusCode, answer);
    }

    private static async Task RunJobAsync(WebApplicationFactory<Program> site, Guid userId)
    {
        await using var scope = site.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Solidarity.Core.Data.SolidarityDbContext>();
        var key = await db.EmailDeliveries.Where(d => d.Key.StartsWith("password-reset:")).Select(d => d.Key).SingleAsync();
        var job = scope.ServiceProvider.GetRequiredService<SendPasswordResetJob>();
        await job.RunAsync(userId, Guid.Parse(key["password-reset:".Length..]), CancellationToken.None);
    }

    private async Task<bool> CheckPasswordAsync(Guid userId, string password)
    {
        await using var scope = App.Scope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<ApplicationUser>>();
        return await users.CheckPasswordAsync((await users.FindByIdAsync(userId.ToString()))!, password);
    }

    private WebApplicationFactory<Program> WithMail(int port) => App.WithWebHostBuilder(b =>
    {
        b.UseSetting("Smtp:Host", "127.0.0.1");
        b.UseSetting("Smtp:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        b.UseSetting("Smtp:Security", "None");
        b.UseSetting("Site:BaseUrl", "http://localhost");
    });

    private static string LinkIn(string text) => new Uri(ResetLink().Match(text).Value).PathAndQuery;

    [GeneratedRegex(@"http://localhost/account/reset-password\?\S+")]
    private static partial Regex ResetLink();
}
