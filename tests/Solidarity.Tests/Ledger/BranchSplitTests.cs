using Solidarity.Core.Amounts;
using Solidarity.Web.Pages.Ledger;

namespace Solidarity.Tests.Ledger;

/// <summary>Splitting money between branches: exact to the penny, whatever the sizes involved.</summary>
public sealed class BranchSplitTests
{
    [Fact]
    public void A_transfer_to_a_branch_owed_more_than_twenty_one_million_pounds_by_one_dispute_is_split_without_overflow()
    {
        var (national, local) = (Guid.CreateVersion7(), Guid.CreateVersion7());

        // £30m and £10m owed: more than a 32-bit count of pence, as a national strike's hardship fund may be owed.
        var parts = BranchSplit.Within(1_000_000_00, [(national, 3_000_000_000), (local, 1_000_000_000)]);

        Assert.Equal([(national, 750_000_00L), (local, 250_000_00L)], parts);
    }

    [Fact]
    public void Parts_add_up_to_the_whole_when_the_total_times_a_share_exceeds_sixty_four_bits()
    {
        var parts = Allocation.Split(long.MaxValue / 2, [long.MaxValue / 3, long.MaxValue / 3, 1]);

        Assert.Equal(long.MaxValue / 2, parts.Sum());
        Assert.Equal(parts[0], parts[1]);
    }

    [Fact]
    public void The_pence_left_over_go_to_the_largest_remainders_first()
    {
        Assert.Equal([334L, 333L, 333L], Allocation.Split(1_000, [1, 1, 1]));
        Assert.Equal([1_501L, 999L], Allocation.Split(2_500, [6_000, 3_995]));
    }
}
