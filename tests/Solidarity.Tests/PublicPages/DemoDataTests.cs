using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Core.Disputes;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Demo;

namespace Solidarity.Tests.PublicPages;

public sealed class DemoDataTests(PublicSiteFixture fixture) : PublicSiteTest(fixture)
{
    [Fact]
    public async Task Seeding_twice_adds_nothing_the_second_time()
    {
        await App.SeedDemoAsync();
        var first = await CountsAsync();
        App.Clock.Now = TestClock.Default.AddDays(30);

        await App.SeedDemoAsync();

        Assert.Equal(first, await CountsAsync());
        Assert.True(first.Disputes >= 3 && first.Users == 1 && first.Roles == 3, $"Unexpected counts {first}");
    }

    [Fact]
    public async Task Seeding_adds_only_what_is_missing()
    {
        await App.SeedDemoAsync();
        var full = await CountsAsync();
        await App.WithDbAsync(db => db.Disputes.Where(d => d.Slug == "brindlewick-refuse-collectors").ExecuteDeleteAsync());

        await App.SeedDemoAsync();

        Assert.Equal(full, await CountsAsync());
    }

    [Fact]
    public async Task Argos_demo_strike_is_rebased_onto_the_current_fortnight()
    {
        await App.SeedDemoAsync();

        var argos = await App.WithDbAsync(db => db.Disputes.AsNoTracking()
            .Include(d => d.Actions).Include(d => d.Beneficiaries).ThenInclude(b => b.Branch).Include(d => d.Workplaces)
            .SingleAsync(d => d.Slug == DemoData.ArgosSlug));

        Assert.Equal(DisputeStatus.TakingAction, argos.Status);
        Assert.True(argos.IsPublished);
        Assert.Equal(1_400, argos.WorkersInvolved);
        Assert.Equal(6, argos.Workplaces.Count);
        var strike = Assert.Single(argos.Actions);
        Assert.Equal(new DateTimeOffset(2026, 5, 10, 5, 0, 0, TimeSpan.Zero), strike.StartsAt);
        Assert.Equal(new DateTimeOffset(2026, 5, 24, 4, 59, 0, TimeSpan.Zero), strike.EndsAt);
        Assert.Equal(BeneficiaryBranch.WholeShare, argos.Beneficiaries.Sum(b => b.ShareBasisPoints));
        Assert.Equal(6_000, argos.Beneficiaries.Single(b => b.Branch.Code == DemoData.ArgosBranchCode).ShareBasisPoints);
        Assert.False(string.IsNullOrWhiteSpace(argos.Disclaimer));
    }

    [Fact]
    public async Task Seeding_creates_the_branch_officer()
    {
        await App.SeedDemoAsync();

        await using var scope = App.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var officer = await users.FindByEmailAsync(DemoData.OfficerEmail);
        Assert.NotNull(officer);
        Assert.Equal([Roles.BranchOfficer], await users.GetRolesAsync(officer));
        Assert.True(await users.CheckPasswordAsync(officer, DemoData.OfficerPassword));
        var branchCode = await App.WithDbAsync(db => db.Branches.Where(b => b.Id == officer.BranchId).Select(b => b.Code).SingleAsync());
        Assert.Equal(DemoData.ArgosBranchCode, branchCode);
    }

    [Fact]
    public async Task Seeding_invites_the_demo_admin_and_reports_the_link_instead_of_making_an_account()
    {
        var report = await App.SeedDemoAsync();

        Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == DemoData.AdminEmail)));
        var invitation = await App.WithDbAsync(db => db.Invitations.AsNoTracking().SingleAsync());
        Assert.Equal(DemoData.AdminEmail, invitation.Email);
        Assert.Equal(Roles.Admin, invitation.Role);
        Assert.Equal(invitation.TokenHash, TokenHash(InvitationLink(report)));
    }

    [Fact]
    public async Task Seeding_again_before_the_demo_admin_enrols_withdraws_the_older_link()
    {
        var first = InvitationLink(await App.SeedDemoAsync());

        var second = InvitationLink(await App.SeedDemoAsync());

        Assert.NotEqual(first, second);
        var open = await App.WithDbAsync(db => db.Invitations.AsNoTracking().Where(i => i.RevokedAt == null && i.AcceptedAt == null).ToListAsync());
        Assert.Equal(TokenHash(second), Assert.Single(open).TokenHash);
    }

    [Fact]
    public async Task Once_the_demo_admin_has_enrolled_seeding_invites_nobody()
    {
        await SignIn.CreateAccountAsync(App, DemoData.AdminEmail, Roles.Admin, withAuthenticator: true);

        var report = await App.SeedDemoAsync();

        Assert.False(await App.WithDbAsync(db => db.Invitations.AnyAsync()));
        Assert.Contains(report, line => line.Contains(DemoData.AdminEmail, StringComparison.Ordinal) && line.Contains("create-admin", StringComparison.Ordinal));
    }

    /// <summary>The invitation link in the seed's report, e.g. "http://localhost:5080/account/invitation/...".</summary>
    private static string InvitationLink(IReadOnlyList<string> report)
    {
        var line = Assert.Single(report, l => l.Contains(Web.Pages.Account.Invitations.PathPrefix, StringComparison.Ordinal));
        return line.Split(' ').Single(word => word.Contains(Web.Pages.Account.Invitations.PathPrefix, StringComparison.Ordinal));
    }

    private static byte[] TokenHash(string link) =>
        System.Security.Cryptography.SHA256.HashData(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(link.Split('/')[^1]));

    private Task<DemoCounts> CountsAsync() => App.WithDbAsync(async db => new DemoCounts(
        await db.Unions.CountAsync(), await db.Branches.CountAsync(), await db.Disputes.CountAsync(), await db.Workplaces.CountAsync(),
        await db.BeneficiaryBranches.CountAsync(), await db.DisputeActions.CountAsync(), await db.DisputeUpdates.CountAsync(),
        await db.Users.CountAsync(), await db.Roles.CountAsync(), await db.UserRoles.CountAsync()));

    private sealed record DemoCounts(
        int Unions, int Branches, int Disputes, int Workplaces, int Beneficiaries, int Actions, int Updates, int Users, int Roles, int UserRoles);
}
