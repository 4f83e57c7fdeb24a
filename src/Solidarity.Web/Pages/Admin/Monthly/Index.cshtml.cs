using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin.Monthly;

/// <summary>
/// Monthly giving at a glance: per dispute, how many people give monthly, what their gifts should bring in a month and
/// what has come in this London month so far; and the monthly payments Stripe could not take and is still retrying.
/// </summary>
internal sealed class IndexModel(SolidarityDbContext db, TimeProvider time) : PageModel
{
    public const int FailuresShown = 100;

    public IReadOnlyList<DisputeRow> Disputes { get; private set; } = [];

    public IReadOnlyList<FailureRow> Failures { get; private set; } = [];

    public DateTimeOffset MonthStart { get; private set; }

    internal sealed record DisputeRow(string Title, string Status, int Givers, long ExpectedPence, long ReceivedPence, int PausedGifts);

    internal sealed record FailureRow(
        string StripeInvoiceId, string DisputeTitle, string? DonorName, long AmountPence, int Attempts, DateTimeOffset LastFailedAt,
        DateTimeOffset? NextAttemptAt, MonthlyGiftStatus GiftStatus);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var london = LondonClock.ToLondon(time.GetUtcNow());
        MonthStart = LondonClock.FromLondon(new DateTime(london.Year, london.Month, 1, 0, 0, 0, DateTimeKind.Unspecified));
        var monthStart = MonthStart;

        var totals = await db.MonthlyTotals.AsNoTracking().ToDictionaryAsync(t => t.DisputeId, cancellationToken);
        var received = await db.Donations.AsNoTracking()
            .Where(d => d.MonthlyGiftId != null && d.Status == DonationStatus.Paid && d.PaidAt >= monthStart)
            .GroupBy(d => d.DisputeId)
            .Select(g => new { DisputeId = g.Key, Pence = g.Sum(d => d.AmountPence + d.FeeCoverPence) })
            .ToDictionaryAsync(g => g.DisputeId, g => g.Pence, cancellationToken);
        var paused = await db.MonthlyGifts.AsNoTracking()
            .Where(g => g.Status == MonthlyGiftStatus.Paused)
            .GroupBy(g => g.DisputeId)
            .Select(g => new { DisputeId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.DisputeId, g => g.Count, cancellationToken);
        var ids = totals.Keys.Concat(received.Keys).Concat(paused.Keys).Distinct().ToList();
        var disputes = await db.Disputes.AsNoTracking().Where(d => ids.Contains(d.Id))
            .Select(d => new { d.Id, d.Title, d.Status }).ToListAsync(cancellationToken);
        Disputes = disputes
            .Select(d => new DisputeRow(
                d.Title, d.Status.Label(),
                totals.TryGetValue(d.Id, out var t) ? t.Givers : 0,
                totals.TryGetValue(d.Id, out var e) ? e.MonthlyPence : 0,
                received.GetValueOrDefault(d.Id),
                paused.GetValueOrDefault(d.Id)))
            .OrderBy(d => d.Title, StringComparer.CurrentCulture)
            .ToList();

        Failures = await db.MonthlyPaymentFailures.AsNoTracking()
            .Where(f => f.PaidAt == null)
            .OrderByDescending(f => f.LastFailedAt)
            .Take(FailuresShown)
            .Join(db.MonthlyGifts, f => f.MonthlyGiftId, g => g.Id, (f, g) => new { f, g })
            .Join(db.Disputes, x => x.f.DisputeId, d => d.Id, (x, d) => new FailureRow(
                x.f.StripeInvoiceId, d.Title, x.g.DonorName, x.f.AmountPence, x.f.Attempts, x.f.LastFailedAt, x.f.NextAttemptAt, x.g.Status))
            .ToListAsync(cancellationToken);
    }
}
