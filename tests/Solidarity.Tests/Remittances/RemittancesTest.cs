using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Core.Disputes;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Remittances;

namespace Solidarity.Tests.Remittances;

/// <summary>
/// A remittance test: every table emptied, then one dispute whose beneficiaries are Burton (60%) and
/// Lutterworth (40%), and a Heywood branch on a dispute of its own.
/// </summary>
[Collection(JobsSiteCollection.Name)]
public abstract class RemittancesTest(JobsSiteFixture fixture) : IAsyncLifetime
{
    /// <summary>Monday 22 May 2017, 00:00 in London (23:00 UTC on the Sunday): the end of the strike's first week.</summary>
    protected static readonly DateTimeOffset WeekOneEnd = LondonClock.FromLondon(new DateTime(2017, 5, 22));

    protected JobsSiteFixture Fixture { get; } = fixture;
    protected JobsSiteApp App => Fixture.App;
    protected Guid DisputeId { get; private set; }
    protected Guid OtherDisputeId { get; private set; }
    protected Guid Burton { get; private set; }
    protected Guid Lutterworth { get; private set; }
    protected Guid Heywood { get; private set; }

    public async Task InitializeAsync()
    {
        await Fixture.ResetAsync();
        await App.WithDbAsync(async db =>
        {
            var union = new Union { Name = "Unite the Union" };
            var burton = new Branch { Code = "WM7680", Name = "Burton on Trent", Union = union, PostalAddress = "1 Example Street", ContactName = "A. Secretary" };
            var lutterworth = new Branch { Code = "EM1001", Name = "Lutterworth", Union = union, PostalAddress = "2 Example Road", ContactName = "B. Treasurer" };
            var heywood = new Branch { Code = "NW2002", Name = "Heywood", Union = union, PostalAddress = "3 Example Lane", ContactName = "C. Officer" };
            var dispute = new Dispute
            {
                Slug = "argos-warehouse-strike", Title = "Argos warehouse strike", Employer = "Argos", Union = union, Summary = "s", Body = "b",
                Status = DisputeStatus.TakingAction, IsPublished = true,
                Beneficiaries = [new BeneficiaryBranch { Branch = burton, ShareBasisPoints = 6_000 }, new BeneficiaryBranch { Branch = lutterworth, ShareBasisPoints = 4_000 }],
            };
            var other = new Dispute
            {
                Slug = "heywood-dispute", Title = "Heywood care workers", Employer = "Employer", Union = union, Summary = "s", Body = "b",
                Status = DisputeStatus.TakingAction, IsPublished = true,
                Beneficiaries = [new BeneficiaryBranch { Branch = heywood, ShareBasisPoints = 10_000 }],
            };
            db.AddRange(union, burton, lutterworth, heywood, dispute, other);
            await db.SaveChangesAsync();
            (DisputeId, OtherDisputeId, Burton, Lutterworth, Heywood) = (dispute.Id, other.Id, burton.Id, lutterworth.Id, heywood.Id);
        });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// A paid donation wholly to <paramref name="branch"/> and its ledger entries, recorded at <paramref name="recordedAt"/>:
    /// the gift, and for a card gift Stripe's fee.
    /// </summary>
    protected async Task<Donation> GiveAsync(
        Guid branch, long pence, DateTimeOffset recordedAt, long feePence = 0, DonationMethod method = DonationMethod.Card,
        string? publicName = null, string? organisation = null, Guid? disputeId = null, bool showAmount = true)
    {
        var donation = new Donation
        {
            DisputeId = disputeId ?? (branch == Heywood ? OtherDisputeId : DisputeId),
            ChosenBranchId = branch,
            Method = method,
            Status = DonationStatus.Paid,
            AmountPence = pence,
            PublicName = publicName,
            OrganisationName = organisation,
            ShowAmountPublicly = showAmount,
            DonorName = "Private Donor Name",
            Email = "private.donor@example.org",
            CreatedAt = recordedAt.AddMinutes(-5),
            PaidAt = recordedAt.AddMinutes(-1),
        };
        donation.Allocations.Add(new DonationAllocation { BranchId = branch, AmountPence = pence });
        await App.WithDbAsync(async db =>
        {
            db.Donations.Add(donation);
            db.LedgerEntries.Add(Entry(donation, method == DonationMethod.Card ? LedgerEntryKind.DonationReceived : LedgerEntryKind.OfflineDonation, pence, recordedAt));
            if (feePence > 0)
            {
                db.LedgerEntries.Add(Entry(donation, LedgerEntryKind.ProcessingFee, -feePence, recordedAt.AddSeconds(1)));
            }

            await db.SaveChangesAsync();
        });
        return donation;
    }

    protected Task PostAsync(Donation donation, LedgerEntryKind kind, long pence, DateTimeOffset recordedAt) =>
        App.WithDbAsync(db =>
        {
            db.LedgerEntries.Add(Entry(donation, kind, pence, recordedAt));
            return db.SaveChangesAsync();
        });

    protected static LedgerEntry Entry(Donation donation, LedgerEntryKind kind, long pence, DateTimeOffset recordedAt) => new()
    {
        DisputeId = donation.DisputeId,
        BranchId = donation.ChosenBranchId!.Value,
        Kind = kind,
        AmountPence = pence,
        Key = $"test:{Guid.NewGuid()}",
        DonationId = donation.Id,
        OccurredAt = recordedAt,
        RecordedAt = recordedAt,
    };

    protected async Task<Guid?> BuildAsync(Guid branch, DateTimeOffset periodEnd)
    {
        await using var scope = App.Scope();
        var (_, id) = await scope.ServiceProvider.GetRequiredService<StatementBuilder>().BuildAsync(branch, periodEnd, CancellationToken.None);
        return id;
    }

    protected async Task<int> RunJobUntilAsync(DateTimeOffset periodEnd)
    {
        await using var scope = App.Scope();
        return await scope.ServiceProvider.GetRequiredService<BuildStatementsJob>().RunUntilAsync(periodEnd, CancellationToken.None);
    }

    protected Task<List<Solidarity.Core.Remittances.RemittanceStatement>> StatementsAsync(Guid branch) =>
        App.WithDbAsync(db => db.RemittanceStatements.AsNoTracking().Where(s => s.BranchId == branch).OrderBy(s => s.PeriodEnd).ToListAsync());

    protected Task<long> LedgerSumAsync(Guid branch, DateTimeOffset? recordedBefore = null) =>
        App.WithDbAsync(async db => await db.LedgerEntries
            .Where(e => e.BranchId == branch && (recordedBefore == null || e.RecordedAt < recordedBefore))
            .SumAsync(e => (long?)e.AmountPence) ?? 0);

    /// <summary>A branch officer of <paramref name="branch"/>, signed in with a password.</summary>
    protected async Task<(HttpClient Client, TestAccount Account)> OfficerAsync(Guid branch, string email)
    {
        var account = await SignIn.CreateAccountAsync(App, email, Roles.BranchOfficer, branchId: branch);
        var client = SignIn.NewClient(App);
        using var response = await SignIn.WithPasswordAsync(client, account.Email, account.Password);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        return (client, account);
    }

    /// <summary>Downloads a file, failing unless it answered 200 with <paramref name="mediaType"/>.</summary>
    protected static async Task<byte[]> DownloadAsync(HttpClient client, string path, string mediaType)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}");
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }
}
