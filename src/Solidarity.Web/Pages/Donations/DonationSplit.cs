namespace Solidarity.Web.Pages.Donations;

/// <summary>How a card gift is divided between branches, fixed when it is given: all to the chosen branch, or by the dispute's shares.</summary>
internal static class DonationSplit
{
    public static List<DonationAllocation> Allocate(
        Guid donationId, long chargedPence, Guid? chosenBranchId, IReadOnlyList<(Guid BranchId, int ShareBasisPoints)> shares)
    {
        if (chosenBranchId is { } branchId)
        {
            return [new DonationAllocation { DonationId = donationId, BranchId = branchId, AmountPence = chargedPence }];
        }

        var branches = shares.OrderBy(b => b.BranchId).ToArray();
        if (branches.Length == 0)
        {
            return [];
        }

        var parts = Allocation.Split(chargedPence, branches.Select(b => (long)b.ShareBasisPoints).ToArray());
        return branches
            .Select((branch, i) => new DonationAllocation { DonationId = donationId, BranchId = branch.BranchId, AmountPence = parts[i] })
            .ToList();
    }
}
