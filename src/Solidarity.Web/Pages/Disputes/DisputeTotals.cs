namespace Solidarity.Web.Pages.Disputes;

/// <summary>What a dispute has raised and from how many supporters, for cards and pages.</summary>
/// <param name="MonthlyGivers">People giving monthly now.</param>
/// <param name="MonthlyPence">What they give a month.</param>
internal sealed record DisputeTotals(long RaisedPence, int Supporters, int MonthlyGivers = 0, long MonthlyPence = 0)
{
    public static readonly DisputeTotals None = new(0, 0);
}

/// <summary>
/// Totals for the public pages, derived from the ledger alone: gross donations (card and offline)
/// less refunds and chargebacks not won back. Stripe's fees are the organisation's cost of
/// collecting and are not taken off the public figure.
/// </summary>
internal sealed class DisputeTotalsQuery(LedgerQueries ledger)
{
    public async Task<IReadOnlyDictionary<Guid, DisputeTotals>> ForDisputesAsync(IReadOnlyCollection<Guid> disputeIds, CancellationToken cancellationToken)
    {
        var money = (await ledger.ForDisputesAsync(disputeIds, cancellationToken)).ToDictionary(m => m.DisputeId);
        return disputeIds.Distinct().ToDictionary(
            id => id,
            id => money.TryGetValue(id, out var m) ? new DisputeTotals(m.RaisedPence, m.Supporters, m.MonthlyGivers, m.MonthlyPence) : DisputeTotals.None);
    }

    public async Task<DisputeTotals> ForDisputeAsync(Guid disputeId, CancellationToken cancellationToken) =>
        (await ForDisputesAsync([disputeId], cancellationToken))[disputeId];
}
