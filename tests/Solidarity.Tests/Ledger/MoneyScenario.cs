using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Disputes;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Core.Amounts;
using Solidarity.Testing;

namespace Solidarity.Tests.Ledger;

/// <summary>
/// A dispute with two beneficiary branches sharing donations 60/40 (Burton and Lutterworth), and a
/// second dispute with one branch, for tests of the money side.
/// </summary>
internal sealed record MoneyScenario(Guid DisputeId, Guid Burton, Guid Lutterworth, Guid OtherDisputeId, Guid OtherBranch)
{
    public static async Task<MoneyScenario> SeedAsync(SolidarityApp app)
    {
        return await app.WithDbAsync(async db =>
        {
            var union = new Union { Name = "Unite the Union" };
            var burton = new Branch
            {
                Code = "WM7680", Name = "Burton on Trent", Union = union, PostalAddress = "1 Example Street\nBurton", ContactName = "A. Secretary",
            };
            var lutterworth = new Branch
            {
                Code = "EM1001", Name = "Lutterworth", Union = union, PostalAddress = "2 Example Road\nLutterworth", ContactName = "B. Treasurer",
            };
            var other = new Branch
            {
                Code = "NW2002", Name = "Heywood", Union = union, PostalAddress = "3 Example Lane\nHeywood", ContactName = "C. Officer",
            };
            var dispute = new Dispute
            {
                Slug = "argos-warehouse-strike", Title = "Argos warehouse strike", Employer = "Argos", Union = union,
                Summary = "Warehouse workers on strike.", Body = "Why they are out.", Status = DisputeStatus.TakingAction, IsPublished = true,
                Beneficiaries =
                [
                    new BeneficiaryBranch { Branch = burton, BranchId = burton.Id, ShareBasisPoints = 6_000 },
                    new BeneficiaryBranch { Branch = lutterworth, BranchId = lutterworth.Id, ShareBasisPoints = 4_000 },
                ],
            };
            var otherDispute = new Dispute
            {
                Slug = "heywood-dispute", Title = "Heywood dispute", Employer = "Employer", Union = union,
                Summary = "s", Body = "b", Status = DisputeStatus.TakingAction, IsPublished = true,
                Beneficiaries = [new BeneficiaryBranch { Branch = other, BranchId = other.Id, ShareBasisPoints = 10_000 }],
            };
            db.AddRange(union, burton, lutterworth, other, dispute, otherDispute);
            await db.SaveChangesAsync();
            return new MoneyScenario(dispute.Id, burton.Id, lutterworth.Id, otherDispute.Id, other.Id);
        });
    }

    /// <summary>A pending card donation as the donate form leaves it: shared 60/40 unless a branch is chosen.</summary>
    public async Task<Guid> CardDonationAsync(
        SolidarityApp app, long amountPence, Guid? chosenBranch = null, Guid? disputeId = null, string? donorKey = null)
    {
        var donation = new Donation
        {
            DisputeId = disputeId ?? DisputeId,
            ChosenBranchId = chosenBranch,
            Method = DonationMethod.Card,
            Status = DonationStatus.Pending,
            AmountPence = amountPence,
            PublicName = "A supporter",
            DonorKey = donorKey,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        donation.StripeCheckoutSessionId = "cs_test_" + donation.Id.ToString("N");
        if (chosenBranch is { } branch)
        {
            donation.Allocations.Add(new DonationAllocation { BranchId = branch, AmountPence = amountPence });
        }
        else
        {
            var parts = Allocation.Split(amountPence, [6_000, 4_000]);
            donation.Allocations.Add(new DonationAllocation { BranchId = Burton, AmountPence = parts[0] });
            donation.Allocations.Add(new DonationAllocation { BranchId = Lutterworth, AmountPence = parts[1] });
        }

        await app.WithDbAsync(db =>
        {
            db.Donations.Add(donation);
            return db.SaveChangesAsync();
        });
        return donation.Id;
    }

    public static Task<List<LedgerEntry>> EntriesAsync(SolidarityApp app) =>
        app.WithDbAsync(db => db.LedgerEntries.AsNoTracking().OrderBy(e => e.Id).ToListAsync());

    /// <summary>The running totals, as the database kept them, equal the entries summed here, row for row.</summary>
    public static async Task AssertTotalsMatchEntriesAsync(SolidarityApp app)
    {
        var entries = await EntriesAsync(app);
        var totals = await app.WithDbAsync(db => db.LedgerTotals.AsNoTracking().ToListAsync());
        Assert.Equal(
            entries.GroupBy(e => (e.DisputeId, e.BranchId, e.Kind))
                .Select(g => (g.Key.DisputeId, g.Key.BranchId, g.Key.Kind, g.Sum(e => e.AmountPence), (long)g.Count()))
                .Order(),
            totals.Select(t => (t.DisputeId, t.BranchId, t.Kind, t.AmountPence, t.EntryCount)).Order());

        // Supporters: each donor (or keyless gift) with a gift whose money is not all refunded or charged back, once.
        var donors = await app.WithDbAsync(db => db.Donations.AsNoTracking().Select(d => new { d.Id, d.DisputeId, d.DonorKey }).ToListAsync());
        var held = entries.Where(e => e.DonationId is not null && e.Kind is not (LedgerEntryKind.ProcessingFee or LedgerEntryKind.ChargebackFee))
            .GroupBy(e => e.DonationId!.Value)
            .Where(g => g.Sum(e => e.AmountPence) > 0)
            .Select(g => g.Key)
            .ToHashSet();
        var expected = donors.Where(d => held.Contains(d.Id))
            .GroupBy(d => d.DisputeId)
            .ToDictionary(g => g.Key, g => (long)g.Select(d => d.DonorKey ?? $"gift:{d.Id:N}").Distinct().Count());
        var counted = await app.WithDbAsync(db => db.SupporterTotals.AsNoTracking()
            .GroupBy(t => t.DisputeId).Select(g => new { g.Key, Supporters = g.Sum(t => t.Supporters) }).ToListAsync());
        Assert.Equal(
            expected.Where(kv => kv.Value != 0).OrderBy(kv => kv.Key),
            counted.Where(c => c.Supporters != 0).ToDictionary(c => c.Key, c => c.Supporters).OrderBy(kv => kv.Key));
    }

    public static Task<Donation> DonationAsync(SolidarityApp app, Guid id) =>
        app.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync(d => d.Id == id));
}
