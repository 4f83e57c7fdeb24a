namespace Solidarity.Core.Amounts;

/// <summary>Splits an amount by shares so the parts always add up to the whole penny.</summary>
public static class Allocation
{
    /// <summary>
    /// Largest-remainder split: each part gets its floor share, and the pence left over go one at a
    /// time to the parts with the largest remainders (ties to the earliest), so the split is
    /// deterministic and exact. Shares may be basis points or whole balances in pence: the products are worked out in
    /// 128 bits, so no share and total a ledger can hold overflows.
    /// </summary>
    public static long[] Split(long total, IReadOnlyList<long> shares)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        if (shares.Count == 0 || shares.Any(s => s <= 0))
        {
            throw new ArgumentException("Every share must be positive.", nameof(shares));
        }

        Int128 shareSum = 0;
        foreach (var share in shares)
        {
            shareSum += share;
        }

        var parts = new long[shares.Count];
        var remainders = new Int128[shares.Count];
        long allocated = 0;
        for (var i = 0; i < shares.Count; i++)
        {
            var exact = (Int128)total * shares[i];
            parts[i] = (long)(exact / shareSum);
            remainders[i] = exact % shareSum;
            allocated += parts[i];
        }

        var order = Enumerable.Range(0, shares.Count).OrderByDescending(i => remainders[i]).ThenBy(i => i).ToArray();
        for (var k = 0; allocated < total; k++, allocated++)
        {
            parts[order[k % order.Length]]++;
        }

        return parts;
    }
}
