using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Disputes;

/// <summary>One day of the chart: what was raised that day, the running total, and what happened.</summary>
internal sealed record ChartDay(DateOnly Day, long RaisedPence, long ToDatePence, IReadOnlyList<string> ActionTitles, IReadOnlyList<string> UpdateTitles)
{
    public bool IsActionDay => ActionTitles.Count > 0;
}

/// <summary>
/// The money raised for a dispute, day by day in London time, cumulative, with its action days and published news:
/// what the chart draws and what its table lists, so the two never disagree. Raised is counted as on the dispute's
/// page: given, less refunds and chargebacks, on the day each happened; card fees are not taken off.
/// </summary>
internal sealed record MoneyChart(Guid DisputeId, string Slug, string Title, IReadOnlyList<ChartDay> Days) : IDisputeView
{
    public long RaisedPence => Days.Count == 0 ? 0 : Days[^1].ToDatePence;

    /// <summary>The day the most was raised (the earliest, on a tie); null before any money.</summary>
    public ChartDay? BiggestDay => Days.Where(d => d.RaisedPence > 0).OrderByDescending(d => d.RaisedPence).ThenBy(d => d.Day).FirstOrDefault();

    /// <summary>The chart in words, for the image's text alternative and the table's caption.</summary>
    public string Summary
    {
        get
        {
            if (Days.Count == 0 || BiggestDay is not { } biggest)
            {
                return $"Money raised for {Title}, day by day: nothing raised yet.";
            }

            var span = Days.Count == 1 ? $"on {LongDay(Days[0].Day)}" : $"over {Days.Count} days, from {LongDay(Days[0].Day)} to {LongDay(Days[^1].Day)}";
            return $"Money raised for {Title}, day by day: {Format(RaisedPence)} raised {span}. " +
                $"The biggest day was {LongDay(biggest.Day)}, with {Format(biggest.RaisedPence)}.";
        }
    }

    public static string Format(long pence) => Money.Pence(pence).Format(dropZeroPence: true);

    public static string LongDay(DateOnly day) => day.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));
}

/// <summary>
/// Reads a dispute's chart: the dispute, its raised money by day, its actions and its published updates. Served only
/// from the chart's own cached URLs, never by the dispute's page, which keeps to its four commands.
/// </summary>
/// <remarks>
/// Summing every entry of a dispute by day costs its whole history (1.9 million entries, seconds, for a dispute with a
/// million donations), and each payment evicts the cached chart. So each process keeps the days before today
/// (<see cref="ClosedDays"/>) and asks the database only for today's entries and the running totals, in one snapshot;
/// when the kept days and today do not add up to the running total, in pence and in entries (money dated in the past:
/// offline money received last week, a late webhook, even a pair that nets to nothing), it sums the whole history again. The figures are the database's either way.
/// </remarks>
internal sealed class MoneyChartQuery(SolidarityDbContext db, LedgerQueries ledger, ClosedDays closedDays, TimeProvider time)
{
    public async Task<MoneyChart?> ForAsync(string slug, CancellationToken cancellationToken)
    {
        var dispute = await PublishedDisputes.HeadingAsync(db, slug, cancellationToken);
        if (dispute is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var today = LondonDay(now);
        var byDay = await RaisedByDayAsync(dispute.Id, today, cancellationToken);
        var actions = await db.DisputeActions.AsNoTracking()
            .Where(a => a.DisputeId == dispute.Id && a.StartsAt <= now)
            .OrderBy(a => a.StartsAt).ThenBy(a => a.Id)
            .Select(a => new { a.Title, a.StartsAt, a.EndsAt })
            .ToListAsync(cancellationToken);
        var updates = await db.DisputeUpdates.AsNoTracking()
            .Where(u => u.DisputeId == dispute.Id && u.Status == UpdateStatus.Published && u.PublishedAt <= now)
            .OrderBy(u => u.PublishedAt).ThenBy(u => u.Id)
            .Select(u => new { u.Title, PublishedAt = u.PublishedAt!.Value })
            .ToListAsync(cancellationToken);

        if (byDay.Count == 0)
        {
            return new MoneyChart(dispute.Id, dispute.Slug, dispute.Title, []);
        }

        // From the first day with money to today while the dispute goes on (a quiet day is still a day), or to the
        // last day with money once it is over, so a won dispute's chart does not run flat for months.
        var first = byDay.Keys.Min();
        var last = dispute.Status.IsActive() ? Max(today, byDay.Keys.Max()) : byDay.Keys.Max();
        var days = new List<ChartDay>(last.DayNumber - first.DayNumber + 1);
        long toDate = 0;
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            var raised = byDay.GetValueOrDefault(day);
            toDate += raised;
            var current = day;
            days.Add(new ChartDay(
                day, raised, toDate,
                actions.Where(a => LondonDay(a.StartsAt) <= current && current <= LondonDay(a.EndsAt)).Select(a => a.Title).ToList(),
                updates.Where(u => LondonDay(u.PublishedAt) == current).Select(u => u.Title).ToList()));
        }

        return new MoneyChart(dispute.Id, dispute.Slug, dispute.Title, days);
    }

    /// <summary>Every day with money, from the days this process kept when they still add up, else from the whole ledger.</summary>
    private async Task<Dictionary<DateOnly, long>> RaisedByDayAsync(Guid disputeId, DateOnly today, CancellationToken cancellationToken)
    {
        if (closedDays.Get(disputeId, today) is { } kept)
        {
            List<DayRaised> recent;
            DisputeMoney? money;

            // One snapshot for both, so a payment committing between them cannot make them disagree.
            await using (var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken))
            {
                recent = await ledger.RaisedByDaySinceAsync(disputeId, LondonClock.FromLondon(today.ToDateTime(TimeOnly.MinValue)), cancellationToken);
                money = (await ledger.ForDisputesAsync([disputeId], cancellationToken)).SingleOrDefault();
                await transaction.CommitAsync(cancellationToken);
            }

            // The sums alone could agree while the days do not (money dated in the past that nets to nothing, a refund and
            // a cheque): the ledger only grows, so every entry dated before today since the days were kept shows in the count.
            if (kept.Sum + recent.Sum(d => d.Pence) == (money?.RaisedPence ?? 0)
                && kept.Entries + recent.Sum(d => d.Entries) == (money?.RaisedEntries ?? 0))
            {
                var days = new Dictionary<DateOnly, long>(kept.Days);
                foreach (var day in recent)
                {
                    days[day.Day] = day.Pence;
                }

                return days;
            }
        }

        var all = await ledger.RaisedByDayAsync(disputeId, cancellationToken);
        closedDays.Keep(disputeId, today, all.Where(d => d.Day < today).ToList());
        return all.ToDictionary(d => d.Day, d => d.Pence);
    }

    private static DateOnly LondonDay(DateTimeOffset at) => DateOnly.FromDateTime(LondonClock.ToLondon(at).DateTime);

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}

/// <summary>
/// What each dispute raised on the days before today, as this process last summed them from the ledger: a day that has
/// ended rarely changes, so the chart asks the database only for today (see <see cref="MoneyChartQuery"/>).
/// </summary>
internal sealed class ClosedDays
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, Kept> _kept = new();

    internal sealed record Kept(DateOnly Today, IReadOnlyDictionary<DateOnly, long> Days, long Sum, long Entries);

    /// <summary>The days kept for <paramref name="disputeId"/> before <paramref name="today"/>; null after midnight or before the first sum.</summary>
    public Kept? Get(Guid disputeId, DateOnly today) => _kept.TryGetValue(disputeId, out var kept) && kept.Today == today ? kept : null;

    public void Keep(Guid disputeId, DateOnly today, IReadOnlyList<DayRaised> days) =>
        _kept[disputeId] = new Kept(today, days.ToDictionary(d => d.Day, d => d.Pence), days.Sum(d => d.Pence), days.Sum(d => d.Entries));
}
