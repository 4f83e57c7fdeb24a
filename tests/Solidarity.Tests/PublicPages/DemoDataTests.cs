using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Core.Disputes;
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
        Assert.True(first.Disputes >= 3 && first.Users == 2 && first.Roles == 2, $"Unexpected counts {first}");
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
    public async Task Seeding_creates_the_demo_admin_without_an_authenticator_and_the_branch_officer()
    {
        var report = await App.SeedDemoAsync();

        await using var scope = App.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var admin = await users.FindByEmailAsync(DemoData.AdminEmail);
        Assert.NotNull(admin);
        Assert.Equal([Roles.Admin], await users.GetRolesAsync(admin));
        Assert.True(await users.CheckPasswordAsync(admin, DemoData.AdminPassword));
        Assert.False(admin.TwoFactorEnabled);
        Assert.Null(await users.GetAuthenticatorKeyAsync(admin));

        var officer = await users.FindByEmailAsync(DemoData.OfficerEmail);
        Assert.NotNull(officer);
        Assert.Equal([Roles.BranchOfficer], await users.GetRolesAsync(officer));
        Assert.True(await users.CheckPasswordAsync(officer, DemoData.OfficerPassword));
        var branchCode = await App.WithDbAsync(db => db.Branches.Where(b => b.Id == officer.BranchId).Select(b => b.Code).SingleAsync());
        Assert.Equal(DemoData.ArgosBranchCode, branchCode);

        Assert.Contains(report, line => line.Contains(DemoData.AdminEmail, StringComparison.Ordinal)
            && line.Contains(DemoData.AdminPassword, StringComparison.Ordinal)
            && line.Contains("/account/sign-in", StringComparison.Ordinal));
    }

    private Task<DemoCounts> CountsAsync() => App.WithDbAsync(async db => new DemoCounts(
        await db.Unions.CountAsync(), await db.Branches.CountAsync(), await db.Disputes.CountAsync(), await db.Workplaces.CountAsync(),
        await db.BeneficiaryBranches.CountAsync(), await db.DisputeActions.CountAsync(), await db.DisputeUpdates.CountAsync(),
        await db.Users.CountAsync(), await db.Roles.CountAsync(), await db.UserRoles.CountAsync()));

    private sealed record DemoCounts(
        int Unions, int Branches, int Disputes, int Workplaces, int Beneficiaries, int Actions, int Updates, int Users, int Roles, int UserRoles);
}
