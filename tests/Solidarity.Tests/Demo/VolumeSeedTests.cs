using AngleSharp.Html.Parser;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Donations;
using Solidarity.Core.Messages;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Demo;
using Solidarity.Web.Pages.Disputes;
using Solidarity.Web.Pages.Ledger;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Tests.Demo;

/// <summary>A database of its own with the demo and one volume seed on top, made once and only read by the tests.</summary>
public sealed class VolumeSeededSite : SolidarityApp
{
    public const int Donations = 2_000;
    public const int Messages = 300;

    internal VolumeSeedReport Report { get; private set; } = default!;

    public Guid DisputeId { get; private set; }

    /// <summary>The demo's disputes without their history, so that every figure checked here is the volume seed's.</summary>
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Demo:Donations", "0")];

    public async Task SeedAsync()
    {
        await DemoData.SeedAsync(Services, CancellationToken.None);
        Report = await VolumeSeeder.SeedAsync(Services, Donations, Messages, CancellationToken.None);
        DisputeId = await WithDbAsync(db => db.Disputes.Where(d => d.Slug == DemoData.ArgosSlug).Select(d => d.Id).SingleAsync());
    }
}

/// <summary>The volume seed writes a busy dispute that keeps every invariant of the ledger, the counts and the receipts.</summary>
[Collection(SiteCollection.Name)]
public sealed class VolumeSeedTests(SiteFixture fixture) : IAsyncLifetime
{
    private VolumeSeededSite App { get; set; } = default!;

    public async Task InitializeAsync() => App = await fixture.SeededSiteAsync<VolumeSeededSite>("volume_test", site => site.SeedAsync());

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Running_totals_equal_the_sums_of_the_seeded_entries()
    {
        await using var scope = App.Scope();

        var differences = await scope.ServiceProvider.GetRequiredService<LedgerQueries>().TotalsDifferencesAsync(CancellationToken.None);

        Assert.Empty(differences);
        Assert.Equal(App.Report.LedgerEntries, await App.WithDbAsync(db => db.LedgerEntries.CountAsync()));
    }

    [Fact]
    public async Task The_dispute_has_raised_the_sum_of_the_seeded_gifts()
    {
        var charged = await App.WithDbAsync(db => db.Donations.SumAsync(d => d.AmountPence + d.FeeCoverPence));

        var totals = await TotalsAsync();

        Assert.Equal(charged, totals.RaisedPence);
        Assert.Equal(App.Report.RaisedPence, totals.RaisedPence);
    }

    [Fact]
    public async Task Each_distinct_donor_counts_once_as_a_supporter()
    {
        var donors = await App.WithDbAsync(db => db.Donations.Select(d => d.DonorKey).Distinct().CountAsync());

        var totals = await TotalsAsync();

        Assert.Equal(donors, totals.Supporters);
        Assert.Equal(App.Report.DistinctDonors, totals.Supporters);
    }

    [Fact]
    public async Task Some_donors_give_again_some_as_organisations_some_under_a_public_name()
    {
        var (organisations, organisationKeys, publicNames, choseBranch, coveredFees, donors) = await App.WithDbAsync(async db => (
            await db.Donations.CountAsync(d => d.OrganisationName != null),
            await db.Donations.CountAsync(d => d.DonorKey!.StartsWith("organisation:")),
            await db.Donations.CountAsync(d => d.PublicName != null),
            await db.Donations.CountAsync(d => d.ChosenBranchId != null),
            await db.Donations.CountAsync(d => d.FeeCoverPence > 0),
            await db.Donations.Select(d => d.DonorKey).Distinct().CountAsync()));

        Assert.InRange(organisations, 1, VolumeSeededSite.Donations / 10);
        Assert.Equal(organisations, organisationKeys);
        Assert.InRange(publicNames, 1, VolumeSeededSite.Donations - 1);
        Assert.InRange(choseBranch, 1, VolumeSeededSite.Donations / 2);
        Assert.InRange(coveredFees, 1, VolumeSeededSite.Donations - 1);
        Assert.InRange(donors, VolumeSeededSite.Donations / 2, VolumeSeededSite.Donations - 1);
    }

    [Fact]
    public async Task Every_donation_is_a_paid_card_gift_split_in_full_and_received_under_its_own_keys()
    {
        var wrong = await App.WithDbAsync(db => db.Database.SqlQueryRaw<int>("""
            SELECT COUNT(*)::int AS "Value" FROM "Donations" AS d
            WHERE d."Method" <> 'Card' OR d."Status" <> 'Paid' OR d."PaidAt" IS NULL OR NOT d."ReceiptNotOwed"
               OR d."AmountPence" + d."FeeCoverPence" <> (SELECT SUM(a."AmountPence") FROM "DonationAllocations" AS a WHERE a."DonationId" = d."Id")
               OR d."AmountPence" + d."FeeCoverPence" <> (SELECT SUM(e."AmountPence") FROM "LedgerEntries" AS e
                                                          WHERE e."DonationId" = d."Id" AND e."Kind" = 'DonationReceived')
            """).SingleAsync());
        var entries = await App.WithDbAsync(db => db.LedgerEntries.Select(e => new { e.Key, e.DonationId, e.BranchId }).ToListAsync());

        Assert.Equal(0, wrong);
        Assert.All(entries, e => Assert.Equal(LedgerKeys.Received(e.DonationId!.Value, e.BranchId), e.Key));
        Assert.Equal(2, entries.Select(e => e.BranchId).Distinct().Count());
    }

    [Fact]
    public async Task Seeded_messages_are_approved_and_shown_newest_first_on_the_dispute_page()
    {
        var newest = await App.WithDbAsync(db => db.SupportMessages.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).FirstAsync());
        var statuses = await App.WithDbAsync(db => db.SupportMessages.Select(m => m.Status).Distinct().ToListAsync());

        var page = await PageAsync();

        Assert.Equal(ModerationStatus.Approved, Assert.Single(statuses));
        var shown = page.QuerySelectorAll(".support-message").ToList();
        Assert.Equal(10, shown.Count);
        Assert.Equal(newest.Body, shown[0].QuerySelector(".message-body")!.TextContent);
        Assert.Contains("Older messages", page.QuerySelector("nav.pager")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dispute_page_shows_the_seeded_total_and_supporters()
    {
        var progress = Progress.Of(await TotalsAsync(), 20_000_00);

        var raised = string.Join(' ', (await PageAsync()).QuerySelector(".dispute-side .raised")!.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal($"{progress.Raised} raised of £20,000 target {progress.SupportersText}", raised);
    }

    [Fact]
    public async Task The_missing_receipts_job_enqueues_no_receipt_for_seeded_donations()
    {
        var paidLongAgo = await App.WithDbAsync(db => db.Donations.CountAsync(d => d.Status == DonationStatus.Paid && d.PaidAt < DateTimeOffset.UtcNow.AddHours(-1)));
        await using var scope = App.Scope();

        // Other tests of this class may have enqueued a receipt for a gift of their own: only what this run adds counts.
        var monitoring = App.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var before = monitoring.GetStatistics().Enqueued;
        await scope.ServiceProvider.GetRequiredService<IssueMissingReceiptsJob>().RunAsync(CancellationToken.None);

        Assert.True(paidLongAgo > 1_000, $"Only {paidLongAgo} donations are old enough for the safety net to look at.");
        Assert.Equal(before, monitoring.GetStatistics().Enqueued);
    }

    private async Task<DisputeTotals> TotalsAsync()
    {
        await using var scope = App.Scope();
        return await scope.ServiceProvider.GetRequiredService<DisputeTotalsQuery>().ForDisputeAsync(App.DisputeId, CancellationToken.None);
    }

    private async Task<AngleSharp.Html.Dom.IHtmlDocument> PageAsync()
    {
        using var client = App.CreateClient();
        var html = await client.GetStringAsync(new Uri($"/disputes/{DemoData.ArgosSlug}", UriKind.Relative));
        return await new HtmlParser().ParseDocumentAsync(html);
    }
}
