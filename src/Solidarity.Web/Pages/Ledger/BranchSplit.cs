namespace Solidarity.Web.Pages.Ledger;

/// <summary>Divides an amount taken back from a donation (refund, chargeback, fee) between its branches.</summary>
internal static class BranchSplit
{
    /// <summary>
    /// Splits <paramref name="amount"/> in proportion to what each branch still holds of the donation.
    /// A largest-remainder part never exceeds its share when the amount does not exceed the whole, so
    /// no branch ever gives back more than it received, and the parts add up to the penny.
    /// </summary>
    public static IReadOnlyList<(Guid BranchId, long Pence)> Within(long amount, IReadOnlyList<(Guid BranchId, long Held)> holdings)
    {
        var holders = holdings.Where(h => h.Held > 0).ToArray();
        var whole = holders.Sum(h => h.Held);
        if (amount <= 0 || whole == 0)
        {
            return [];
        }

        if (amount > whole)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), "Cannot take back more than the branches hold.");
        }

        var parts = Allocation.Split(amount, holders.Select(h => h.Held).ToArray());
        return holders.Select((h, i) => (h.BranchId, parts[i])).Where(p => p.Item2 > 0).ToArray();
    }

    /// <summary>Splits a cost of the whole donation (a Stripe fee) by the donation's own allocation.</summary>
    public static IReadOnlyList<(Guid BranchId, long Pence)> ByAllocation(long amount, IReadOnlyList<(Guid BranchId, long Allocated)> allocation)
    {
        var shares = allocation.Where(a => a.Allocated > 0).ToArray();
        if (amount <= 0 || shares.Length == 0)
        {
            return [];
        }

        var parts = Allocation.Split(amount, shares.Select(a => a.Allocated).ToArray());
        return shares.Select((a, i) => (a.BranchId, parts[i])).Where(p => p.Item2 > 0).ToArray();
    }
}
