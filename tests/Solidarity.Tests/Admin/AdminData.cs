using Solidarity.Core.Disputes;
using Solidarity.Testing;

namespace Solidarity.Tests.Admin;

/// <summary>Unions, branches and disputes put straight into the database, for tests about what the admin pages do with them.</summary>
internal static class AdminData
{
    public sealed record Seeded(Guid UnionId, Guid BurtonBranchId, Guid LutterworthBranchId);

    public static async Task<Seeded> UnionAndBranchesAsync(SolidarityApp app)
    {
        var union = new Union { Name = "Unite the Union" };
        var burton = new Branch
        {
            Code = "WM7680", Name = "Burton on Trent Distribution", Union = union,
            PostalAddress = "Unite Burton Office\nPO Box 100\nBurton upon Trent\nDE14 1AA", ContactName = "Branch Secretary (demo)",
        };
        var lutterworth = new Branch
        {
            Code = "EM1234", Name = "Lutterworth Logistics", Union = union,
            PostalAddress = "Unite Leicester Office\nPO Box 200\nLeicester\nLE1 1AA", ContactName = "Branch Secretary (demo)",
        };
        await app.WithDbAsync(async db =>
        {
            db.AddRange(union, burton, lutterworth);
            await db.SaveChangesAsync();
        });
        return new Seeded(union.Id, burton.Id, lutterworth.Id);
    }

    public static async Task<Guid> DisputeAsync(SolidarityApp app, Seeded seeded, string slug = "argos-warehouses-2017")
    {
        var dispute = new Dispute
        {
            Slug = slug, Title = "Argos warehouse strike", Employer = "Argos", UnionId = seeded.UnionId,
            Summary = "Warehouse workers defend their terms and conditions.", Body = "Why they are out.",
            Status = DisputeStatus.TakingAction, WorkersInvolved = 1400, TargetPence = 2_000_000,
            CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            Workplaces =
            [
                new Workplace { Name = "Burton DC", Town = "Burton-on-Trent", BranchId = seeded.BurtonBranchId },
                new Workplace { Name = "Lutterworth DC", Town = "Lutterworth", BranchId = seeded.LutterworthBranchId },
            ],
            Beneficiaries =
            [
                new BeneficiaryBranch { BranchId = seeded.BurtonBranchId, ShareBasisPoints = 10_000 },
            ],
            Actions =
            [
                new DisputeAction
                {
                    Kind = ActionKind.Strike, Title = "Two-week continuous strike",
                    StartsAt = new DateTimeOffset(2017, 5, 17, 5, 0, 0, TimeSpan.Zero), EndsAt = new DateTimeOffset(2017, 5, 31, 4, 59, 0, TimeSpan.Zero),
                },
            ],
        };
        await app.WithDbAsync(async db =>
        {
            db.Disputes.Add(dispute);
            await db.SaveChangesAsync();
        });
        return dispute.Id;
    }

    /// <summary>A complete, valid new dispute as an admin would type it.</summary>
    public static Dictionary<string, string?> NewDisputeValues(Seeded seeded, string slug = "argos-warehouses-2017") => new()
    {
        ["Input.Title"] = "Argos warehouse strike",
        ["Input.Slug"] = slug,
        ["Input.Employer"] = "Argos",
        ["Input.UnionId"] = seeded.UnionId.ToString(),
        ["Input.Summary"] = "About 1,400 warehouse workers defend their jobs and terms.",
        ["Input.Body"] = "Argos plans to move work to a contractor.\n\nUnite asked for guarantees and was refused.",
        ["Input.Status"] = "TakingAction",
        ["Input.WorkersInvolved"] = "1400",
        ["Input.Target"] = "£25,000.50",
        ["Input.ChequePayee"] = "Unite WM7680",
        ["Input.Workplaces[0].Name"] = "Burton DC",
        ["Input.Workplaces[0].Town"] = "Burton-on-Trent",
        ["Input.Workplaces[0].BranchId"] = seeded.BurtonBranchId.ToString(),
        ["Input.Workplaces[1].Name"] = "Lutterworth DC",
        ["Input.Workplaces[1].Town"] = "Lutterworth",
        ["Input.Workplaces[1].BranchId"] = seeded.LutterworthBranchId.ToString(),
        ["Input.Beneficiaries[0].BranchId"] = seeded.BurtonBranchId.ToString(),
        ["Input.Beneficiaries[0].Share"] = "66.67",
        ["Input.Beneficiaries[1].BranchId"] = seeded.LutterworthBranchId.ToString(),
        ["Input.Beneficiaries[1].Share"] = "33.33%",
        ["Input.Actions[0].Kind"] = "Strike",
        ["Input.Actions[0].Title"] = "Two-week continuous strike",
        ["Input.Actions[0].Starts"] = "2017-05-17T06:00",
        ["Input.Actions[0].Ends"] = "2017-05-31T05:59",
    };
}
