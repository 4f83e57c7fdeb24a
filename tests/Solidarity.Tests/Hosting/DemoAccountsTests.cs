using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Accounts;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Demo;
using Solidarity.Web.Pages.Admin;

namespace Solidarity.Tests.Hosting;

/// <summary>
/// The demo's way in is published, so Production does not start while a demo account exists, and says which command
/// removes them; an invitation not yet used is not an account, and an admin without a second factor stops no one but
/// themself (the sign-in refuses them: SignInTests).
/// </summary>
public sealed class DemoAccountsTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public async Task Production_refuses_to_start_while_a_demo_account_exists_and_names_the_command_that_removes_it()
    {
        await SignIn.CreateAccountAsync(App, DemoData.OfficerEmail, Roles.BranchOfficer);

        var (started, error) = await SiteProcess.StartsAsync(Environment());

        Assert.False(started);
        Assert.Contains(DemoData.OfficerEmail, error, StringComparison.Ordinal);
        Assert.Contains(DemoAccounts.CommandName, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_command_removes_the_demo_accounts_in_the_audit_log_and_then_Production_starts()
    {
        await SignIn.CreateAccountAsync(App, DemoData.OfficerEmail, Roles.BranchOfficer);
        await SignIn.CreateAccountAsync(App, DemoData.AdminEmail, Roles.Admin, withAuthenticator: true);
        var real = await SignIn.CreateAccountAsync(App, "treasurer@example.org", Roles.BranchOfficer);

        var (exitCode, output, error) = await SiteProcess.RunAsync(Environment(), DemoAccounts.CommandName);

        Assert.True(exitCode == 0, error);
        Assert.Contains(DemoData.AdminEmail, output, StringComparison.Ordinal);
        Assert.Equal([real.Id], await App.WithDbAsync(db => db.Users.Select(u => u.Id).ToListAsync()));
        var removed = await App.WithDbAsync(db => db.AuditEntries.Where(e => e.Action == AuditActions.DemoAccountRemoved).ToListAsync());
        Assert.Equal(2, removed.Count);
        Assert.All(removed, entry => Assert.Equal(AuditTrail.CommandLineActor, entry.UserName));
        var (started, startError) = await SiteProcess.StartsAsync(Environment());
        Assert.True(started, startError);
    }

    [Fact]
    public async Task The_command_withdraws_an_open_demo_invitation()
    {
        var invitation = await Invite.IssueAsync(App, DemoData.AdminEmail, Roles.Admin);

        var (exitCode, _, error) = await SiteProcess.RunAsync(Environment(), DemoAccounts.CommandName);

        Assert.True(exitCode == 0, error);
        Assert.NotNull(await App.WithDbAsync(db => db.Invitations.Where(i => i.Id == invitation.Id).Select(i => i.RevokedAt).SingleAsync()));
    }

    [Fact]
    public async Task An_open_demo_invitation_and_an_admin_without_a_second_factor_do_not_stop_Production()
    {
        await Invite.IssueAsync(App, DemoData.AdminEmail, Roles.Admin);
        await SignIn.CreateAccountAsync(App, "no-app@example.org", Roles.Admin);

        var (started, error) = await SiteProcess.StartsAsync(Environment());

        Assert.True(started, error);
    }

    private Dictionary<string, string?> Environment() => SiteProcess.ProductionEnvironment(App.ConnectionString);
}
