namespace Solidarity.Core.Amounts;

/// <summary>Splits an amount by shares so the parts always add up to the whole penny.</summary>
public static class Allocation
{
    /// <summary>
    /// Largest-remainder split: each part gets its floor share, and the pence left over go one at a
    /// time to the parts with the largest remainders (ties to the earliest), so the split is
    /// deterministic and exact.
    /// </summary>
    public static long[] Split(long total, IReadOnlyList<int> shares)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        if (shares.Count == 0 || shares.Any(s => s <= 0))
        {
            throw new ArgumentException("Every share must be positive.", nameof(shares));
        }

        long shareSum = shares.Sum(s => (long)s);
        var parts = new long[shares.Count];
        var remainders = new long[shares.Count];
        long allocated = 0;
        for (var i = 0; i < shares.Count; i++)
        {
            var exact = checked(total * shares[i]);
            parts[i] = exact / shareSum;
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
