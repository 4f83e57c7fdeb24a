using Solidarity.Core.Data;

namespace Solidarity.Web.Pages.Disputes;

/// <summary>What a dispute has raised and from how many supporters, for cards and pages.</summary>
public sealed record DisputeTotals(long RaisedPence, int Supporters)
{
    public static readonly DisputeTotals None = new(0, 0);
}

/// <summary>
/// Totals for the public pages. Every figure is derived from the ledger; until donations exist
/// there is nothing to sum and every dispute has raised nothing.
/// </summary>
public sealed class DisputeTotalsQuery(SolidarityDbContext db)
{
    public Task<IReadOnlyDictionary<Guid, DisputeTotals>> ForDisputesAsync(IReadOnlyCollection<Guid> disputeIds, CancellationToken cancellationToken)
    {
        _ = db;
        _ = cancellationToken;
        IReadOnlyDictionary<Guid, DisputeTotals> totals = disputeIds.Distinct().ToDictionary(id => id, _ => DisputeTotals.None);
        return Task.FromResult(totals);
    }

    public async Task<DisputeTotals> ForDisputeAsync(Guid disputeId, CancellationToken cancellationToken) =>
        (await ForDisputesAsync([disputeId], cancellationToken))[disputeId];
}
