using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Testing;
using Solidarity.Tests.Ledger;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Tests.Admin.Money;

public sealed class OfflineMoneyTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string Path = "/admin/money/offline";

    private MoneyScenario _scenario = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _scenario = await MoneyScenario.SeedAsync(App);
    }

    private Dictionary<string, string> ValidCheque() => new()
    {
        ["Input.Method"] = nameof(DonationMethod.Cheque),
        ["Input.DisputeId"] = _scenario.DisputeId.ToString(),
        ["Input.BranchId"] = _scenario.Burton.ToString(),
        ["Input.ReceivedOn"] = "2017-05-26",
        ["Input.Amount"] = "£1,250.50",
        ["Input.PayerName"] = "",
        ["Input.OrganisationName"] = "South Birmingham Momentum",
        ["Input.Email"] = "treasurer@momentum.example",
        ["Input.Reference"] = "Cheque 000123",
    };

    [Fact]
    public async Task Recording_a_cheque_creates_a_paid_donation_its_ledger_entry_and_an_audit_entry()
    {
        var (client, treasurer) = await SignIn.AsAdminAsync(App, "treasurer@example.org");

        using var response = await client.PostFormAsync(Path, ValidCheque());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var donation = await App.WithDbAsync(db => db.Donations.Include(d => d.Allocations).SingleAsync());
        Assert.Equal((DonationMethod.Cheque, DonationStatus.Paid, 125_050L), (donation.Method, donation.Status, donation.AmountPence));
        Assert.Equal(("South Birmingham Momentum", "Cheque 000123", treasurer.Id), (donation.OrganisationName, donation.Reference, donation.RecordedByUserId));
        Assert.Equal(LondonClock.FromLondon(new DateTime(2017, 5, 26)), donation.PaidAt);
        var entry = Assert.Single(await MoneyScenario.EntriesAsync(App));
        Assert.Equal((LedgerEntryKind.OfflineDonation, 125_050L, _scenario.Burton, donation.Id), (entry.Kind, entry.AmountPence, entry.BranchId, entry.DonationId));
        var audit = await App.WithDbAsync(db => db.AuditEntries.SingleAsync());
        Assert.Equal(("offline-donation.recorded", "treasurer@example.org", donation.Id.ToString()), (audit.Action, audit.UserName, audit.SubjectId));
        var enqueued = App.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi().EnqueuedJobs("default", 0, 1_000);
        Assert.Contains(enqueued, job => job.Value.Job.Type == typeof(IssueReceiptJob) && Equals(job.Value.Job.Args[0], donation.Id));

        var page = await client.GetPageAsync(Path);
        Assert.Contains("Recorded £1,250.50", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Cheque 000123", page.QuerySelector("table")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_form_posted_twice_records_the_money_once()
    {
        using var client = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;
        var form = ValidCheque();
        form["Input.EntryId"] = Guid.CreateVersion7().ToString();

        using var first = await client.PostFormAsync(Path, form);
        using var again = await client.PostFormAsync(Path, form);

        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Single(await App.WithDbAsync(db => db.Donations.ToListAsync()));
        Assert.Single(await MoneyScenario.EntriesAsync(App));
        var page = await client.GetPageAsync(Path);
        Assert.Contains("already recorded", page.Body!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Input.Amount", "0", "more than £0")]
    [InlineData("Input.Amount", "-5", "more than £0")]
    [InlineData("Input.Amount", "10.005", "fractions of a penny")]
    [InlineData("Input.Amount", "ten pounds", "Enter the amount in pounds, like 12.50.")]
    [InlineData("Input.Amount", "1000000.01", "more than £1,000,000")]
    [InlineData("Input.Amount", "", "Enter the amount in pounds, like 12.50.")]
    [InlineData("Input.ReceivedOn", "2999-01-01", "cannot be in the future")]
    [InlineData("Input.ReceivedOn", "0025-05-20", "cannot be before 2000")]
    [InlineData("Input.ReceivedOn", "", "Enter the date")]
    [InlineData("Input.ReceivedOn", "last Tuesday", "“last Tuesday” is not a date received this form can read")]
    [InlineData("Input.BranchId", "burton", "“burton” is not a branch this form can read")]
    [InlineData("Input.Method", "Card", "cheque, bank transfer or collection")]
    [InlineData("Input.Method", "", "Choose how the money came")]
    [InlineData("Input.BranchId", "other-branch", "not a beneficiary of this dispute")]
    [InlineData("Input.OrganisationName", "", "payer's name or the organisation")]
    [InlineData("Input.Email", "not-an-email", "valid email address")]
    public async Task Bad_input_is_refused_with_a_message_and_nothing_is_written(string field, string value, string message)
    {
        var form = ValidCheque();
        form[field] = value == "other-branch" ? _scenario.OtherBranch.ToString() : value;
        using var client = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;

        using var response = await client.PostFormAsync(Path, form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(0, await App.WithDbAsync(db => db.Donations.CountAsync()));
        Assert.Empty(await MoneyScenario.EntriesAsync(App));
        Assert.Equal(0, await App.WithDbAsync(db => db.AuditEntries.CountAsync()));
    }

    [Fact]
    public async Task Largest_allowed_amount_is_accepted()
    {
        var form = ValidCheque();
        form["Input.Amount"] = "1000000";
        using var client = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;

        using var response = await client.PostFormAsync(Path, form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(100_000_000, (await MoneyScenario.EntriesAsync(App)).Single().AmountPence);
    }

    [Fact]
    public async Task Reversing_posts_a_reversing_entry_once_and_never_edits()
    {
        using var client = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;
        (await client.PostFormAsync(Path, ValidCheque())).Dispose();
        var donationId = await App.WithDbAsync(db => db.Donations.Select(d => d.Id).SingleAsync());

        using var refused = await client.PostFormAsync(Path, [new("donationId", donationId.ToString()), new("reason", " ")], "Reverse");
        Assert.Contains("Give the reason", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await MoneyScenario.EntriesAsync(App));

        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var reversed = await client.PostFormAsync(Path, [new("donationId", donationId.ToString()), new("reason", "Entered twice")], "Reverse");
            Assert.Equal(HttpStatusCode.Redirect, reversed.StatusCode);
        }

        var entries = await MoneyScenario.EntriesAsync(App);
        Assert.Equal([125_050L, -125_050L], entries.Select(e => e.AmountPence));
        Assert.Equal(LedgerEntryKind.OfflineDonationReversed, entries[1].Kind);
        Assert.Equal(DonationStatus.Reversed, (await MoneyScenario.DonationAsync(App, donationId)).Status);
        Assert.Equal(["offline-donation.recorded", "offline-donation.reversed"], await App.WithDbAsync(db => db.AuditEntries.OrderBy(a => a.Id).Select(a => a.Action).ToListAsync()));
        var page = await client.GetPageAsync(Path);
        Assert.Contains("Entered twice", page.QuerySelector(".reversal-reason")!.TextContent, StringComparison.Ordinal);

        await using var scope = App.Scope();
        var totals = await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Solidarity.Web.Pages.Disputes.DisputeTotalsQuery>(scope.ServiceProvider).ForDisputeAsync(_scenario.DisputeId, default);
        Assert.Equal(Solidarity.Web.Pages.Disputes.DisputeTotals.None, totals);
    }

    [Fact]
    public async Task A_reversal_reason_with_a_control_character_is_refused_and_nothing_is_posted()
    {
        using var client = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;
        (await client.PostFormAsync(Path, ValidCheque())).Dispose();
        var donationId = await App.WithDbAsync(db => db.Donations.Select(d => d.Id).SingleAsync());

        using var refused = await client.PostFormAsync(Path, [new("donationId", donationId.ToString()), new("reason", "Bounced\u0007")], "Reverse");

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await HtmlForm.ParseAsync(refused);
        Assert.Contains("ordinary characters", page.QuerySelector(".form-errors")!.TextContent, StringComparison.Ordinal);

        // The row it was for keeps the reason as typed and says why, beside it.
        var reason = page.GetElementById($"reason-{donationId}")!;
        Assert.Equal("Bounced\u0007", reason.GetAttribute("value"));
        Assert.Equal("true", reason.GetAttribute("aria-invalid"));
        Assert.Contains("ordinary characters", page.GetElementById($"reason-error-{donationId}")!.TextContent, StringComparison.Ordinal);
        Assert.Single(await MoneyScenario.EntriesAsync(App));
        Assert.Equal(DonationStatus.Paid, (await MoneyScenario.DonationAsync(App, donationId)).Status);
    }

    [Fact]
    public async Task Reversing_money_the_branch_was_already_paid_asks_first_and_then_lists_what_the_branch_owes_back()
    {
        using var client = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;
        (await client.PostFormAsync(Path, ValidCheque())).Dispose();
        var donationId = await App.WithDbAsync(db => db.Donations.Select(d => d.Id).SingleAsync());
        await App.WithDbAsync(db =>
        {
            // The branch was paid everything it held, cheque included.
            db.LedgerEntries.Add(new LedgerEntry
            {
                DisputeId = _scenario.DisputeId, BranchId = _scenario.Burton, Kind = LedgerEntryKind.Remittance, AmountPence = -125_050,
                Key = "test:remittance", OccurredAt = DateTimeOffset.UtcNow,
            });
            return db.SaveChangesAsync();
        });
        var before = await MoneyScenario.EntriesAsync(App);

        using var held = await client.PostFormAsync(Path, [new("donationId", donationId.ToString()), new("reason", "Cheque bounced")], "Reverse");

        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        var warning = await HtmlForm.ParseAsync(held);
        Assert.Contains("leaves branch WM7680 owing £1,250.50", warning.QuerySelector("[role=alert] p")!.TextContent, StringComparison.Ordinal);

        // The form to record money, on the same page, says nothing of its own rules and has an id for its next entry.
        Assert.Null(warning.QuerySelector(".form-errors"));
        Assert.DoesNotContain("Choose the dispute", warning.Body!.TextContent, StringComparison.Ordinal);
        Assert.True(Guid.TryParse(warning.QuerySelector("input[name='Input.EntryId']")?.GetAttribute("value"), out _));
        Assert.Equal(before.Select(e => e.Key), (await MoneyScenario.EntriesAsync(App)).Select(e => e.Key));
        Assert.Equal(DonationStatus.Paid, (await MoneyScenario.DonationAsync(App, donationId)).Status);
        var reconciliation = await client.GetPageAsync("/admin/money/reconciliation");
        Assert.NotNull(reconciliation.QuerySelector("#owing-back-none"));

        using var confirmed = await client.PostFormAsync(
            Path, [new("donationId", donationId.ToString()), new("reason", "Cheque bounced"), new("confirmOverdraw", "true")], "Reverse");

        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal(DonationStatus.Reversed, (await MoneyScenario.DonationAsync(App, donationId)).Status);
        reconciliation = await client.GetPageAsync("/admin/money/reconciliation");
        var owing = Assert.Single(reconciliation.QuerySelectorAll("#owing-back tbody tr"));
        Assert.Equal("WM7680", owing.GetAttribute("data-branch"));
        Assert.Contains("£1,250.50", owing.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("no-mfa")]
    public async Task Only_an_admin_who_used_a_second_factor_may_record_money(string? who)
    {
        // No sign-in page gives an admin a session without a second factor: the stand-in admin has one.
        await using var standIn = AdminSite.For(App);
        using var client = who is null ? standIn.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }) : standIn.AdminClient(who);

        using var response = await client.GetAsync(Path);

        // The status code pages re-execute the refusal, so its final code depends on the error pages; it is never the page.
        Assert.False(response.IsSuccessStatusCode);
        Assert.DoesNotContain("Record money received", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
