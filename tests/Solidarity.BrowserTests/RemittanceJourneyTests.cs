using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Solidarity.BrowserTests.Infrastructure;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Testing;
using Solidarity.Web.Demo;
using Solidarity.Web.Pages.Account;
using Solidarity.Web.Pages.Remittances;
using static Microsoft.Playwright.Assertions;

namespace Solidarity.BrowserTests;

/// <summary>
/// A week's money for the demo's Burton branch becomes a statement; the demo admin (the site's only admin) approves
/// it and records the bank transfer; the branch officer downloads the statement and confirms the money arrived.
/// </summary>
public sealed class RemittanceJourneyTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private const string Reference = "BACS WM7680 0001";
    private const string AdminPassword = "Picket-Line-2017";

    [ChromiumFact]
    public async Task Admin_records_the_transfer_for_a_statement_and_the_branch_officer_confirms_it_arrived()
    {
        var invitationPath = await DemoAdminInvitationAsync();
        var statementId = await StatementForBurtonAsync();

        // The demo admin gets in as every admin does: the invitation link the demo printed, a password, an app.
        var admin = await NewPageAsync();
        await OpenAsync(admin, invitationPath);
        await admin.GetByLabel("New password", new() { Exact = true }).FillAsync(AdminPassword);
        await admin.GetByLabel("New password again").FillAsync(AdminPassword);
        var key = (await admin.GetByTestId("shared-key").TextContentAsync())!.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        await admin.GetByLabel("Code from the app").FillAsync(SignIn.Code(key));
        await admin.GetByRole(AriaRole.Button, new() { Name = "Set password and turn on the app" }).ClickAsync();
        await admin.WaitForURLAsync("**/account/authenticator/recovery-codes**");
        await Expect(admin.Locator(".recovery-codes li")).ToHaveCountAsync(10);
        await admin.GetByRole(AriaRole.Link, new() { Name = "I have saved them: continue" }).ClickAsync();
        await admin.WaitForURLAsync("**/admin");
        await OpenAsync(admin, "/admin/remittances");

        await admin.Locator($"#statements a[href='/admin/remittances/statements/{statementId}']").ClickAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Approve this statement" }).ClickAsync();
        await Expect(admin.Locator("#approval")).ToContainTextAsync($"Approved by {DemoData.AdminEmail}");
        await Expect(admin.Locator("#single-admin")).ToContainTextAsync("only one admin");
        await Expect(admin.GetByLabel("Amount (£)")).ToHaveValueAsync("48.58");
        await admin.GetByLabel("Bank reference").FillAsync(Reference);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Record transfer" }).ClickAsync();
        await Expect(admin.Locator(".notice[role=status]")).ToContainTextAsync("Recorded £48.58");
        await Expect(admin.Locator("#owed-now")).ToHaveTextAsync("£0.00");

        var officer = await NewPageAsync();
        await OpenAsync(officer, "/account/sign-in?ReturnUrl=%2Fbranch");
        await officer.GetByLabel("Email").FillAsync(DemoData.OfficerEmail);
        await officer.GetByLabel("Password").FillAsync(DemoData.OfficerPassword);
        await officer.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await officer.WaitForURLAsync("**/branch");
        await Expect(officer.Locator("#statements")).ToContainTextAsync("please confirm");
        var download = await officer.RunAndWaitForDownloadAsync(() => officer.Locator("#statements a", new() { HasText = "CSV" }).ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        await officer.Locator($"a[href='/branch/statements/{statementId}']").ClickAsync();
        await officer.GetByRole(AriaRole.Button, new() { Name = "Confirm it arrived in the branch's account" }).ClickAsync();
        await Expect(officer.Locator(".confirmation")).ToContainTextAsync($"Confirmed received by {DemoData.OfficerEmail}");

        await admin.GotoAsync("/admin/remittances");
        await Expect(admin.Locator($"#payments tr[data-reference='{Reference}'] .confirmation")).ToContainTextAsync($"Confirmed by {DemoData.OfficerEmail}");
        var entries = await Site.WithDbAsync(db => db.LedgerEntries.Where(e => e.Kind == LedgerEntryKind.Remittance).SumAsync(e => e.AmountPence));
        Assert.Equal(-4_858, entries);
    }

    /// <summary>The path of the demo admin's invitation link, as the demo prints it at start-up (seeding again makes a new one).</summary>
    private async Task<string> DemoAdminInvitationAsync()
    {
        var report = await DemoData.SeedAsync(Site.Services, CancellationToken.None);
        var link = report.SelectMany(line => line.Split(' ')).Single(word => word.Contains(Invitations.PathPrefix, StringComparison.Ordinal));
        return new Uri(link).AbsolutePath;
    }

    /// <summary>A £50 card gift to the Burton branch (£1.42 fee) recorded last week, and the statement of that week.</summary>
    private async Task<Guid> StatementForBurtonAsync()
    {
        var periodEnd = StatementPeriods.LastEndBefore(DateTimeOffset.UtcNow, DayOfWeek.Monday);
        await Site.WithDbAsync(async db =>
        {
            var branch = await db.Branches.SingleAsync(b => b.Code == DemoData.ArgosBranchCode);
            var dispute = await db.Disputes.SingleAsync(d => d.Employer == "Argos");
            var donation = new Donation
            {
                DisputeId = dispute.Id, ChosenBranchId = branch.Id, Method = DonationMethod.Card, Status = DonationStatus.Paid, AmountPence = 5_000,
                PublicName = "Jo", Email = "jo@example.org", CreatedAt = periodEnd.AddDays(-2), PaidAt = periodEnd.AddDays(-2),
            };
            donation.Allocations.Add(new DonationAllocation { BranchId = branch.Id, AmountPence = 5_000 });
            db.Donations.Add(donation);
            db.LedgerEntries.AddRange(
                new LedgerEntry
                {
                    DisputeId = dispute.Id, BranchId = branch.Id, Kind = LedgerEntryKind.DonationReceived, AmountPence = 5_000,
                    Key = $"donation:{donation.Id}:received:{branch.Id}", DonationId = donation.Id, OccurredAt = periodEnd.AddDays(-2), RecordedAt = periodEnd.AddDays(-2),
                },
                new LedgerEntry
                {
                    DisputeId = dispute.Id, BranchId = branch.Id, Kind = LedgerEntryKind.ProcessingFee, AmountPence = -142,
                    Key = $"fee:txn_demo:{branch.Id}", DonationId = donation.Id, OccurredAt = periodEnd.AddDays(-2), RecordedAt = periodEnd.AddDays(-2),
                });
            await db.SaveChangesAsync();
        });

        await using var scope = Site.Scope();
        await scope.ServiceProvider.GetRequiredService<BuildStatementsJob>().RunUntilAsync(periodEnd, CancellationToken.None);
        return await Site.WithDbAsync(db => db.RemittanceStatements.Select(s => s.Id).SingleAsync());
    }
}
