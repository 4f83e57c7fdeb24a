using System.Net;
using Solidarity.Web.Infrastructure.Hashing;

namespace Solidarity.Web.Infrastructure.Throttling;

/// <summary>What a counter held after an attempt was counted, or when it was only read.</summary>
internal sealed record ThrottleState(int Count, DateTimeOffset? LastAt)
{
    public static readonly ThrottleState None = new(0, null);
}

/// <summary>
/// Counters of attempts kept in PostgreSQL, so that a limit holds across every web process of the site: one row
/// per scope, subject and window, incremented by a single upsert, so two processes counting at once both count.
/// Subjects are keyed hashes (<see cref="ClientSubject"/>, <see cref="TextSubject"/>): the table never holds an
/// address. <see cref="PurgeThrottlesJob"/> removes windows that ended more than a day ago.
/// </summary>
internal sealed class Throttle(SolidarityDbContext db, IConfiguration configuration, TimeProvider time)
{
    /// <summary>
    /// The secret of the keyed hash that names a client address or an email address in the counters, so that the
    /// database never holds either.
    /// </summary>
    public static readonly HashSecret Secret = new("Throttling:Key", "development-only-throttle-key");

    private readonly KeyedHash _hash = new(configuration, Secret);

    /// <summary>Counts one attempt in the current window of <paramref name="window"/> and returns the window's count with it.</summary>
    public async Task<ThrottleState> HitAsync(string scope, string subject, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var counted = await db.Database.SqlQuery<HitRow>($"""
            INSERT INTO "ThrottleCounters" ("Scope", "Subject", "WindowStart", "Count", "LastAt")
            VALUES ({scope}, {subject}, {WindowStart(now, window)}, 1, {now})
            ON CONFLICT ("Scope", "Subject", "WindowStart") DO UPDATE
                SET "Count" = "ThrottleCounters"."Count" + 1, "LastAt" = GREATEST("ThrottleCounters"."LastAt", EXCLUDED."LastAt")
            RETURNING "Count", "LastAt"
            """).ToListAsync(cancellationToken);
        return new ThrottleState(counted[0].Count, counted[0].LastAt);
    }

    /// <summary>
    /// Takes one of <paramref name="limit"/> permits per <paramref name="window"/>, sliding: the previous window's count
    /// weighs in for the part of it still inside the last <paramref name="window"/>, so a burst across a window's edge
    /// gets no second allowance. A refused attempt counts too, so a flood stays refused while it goes on; the wait it is
    /// told allows for that, so that one attempt made when it ends is allowed.
    /// </summary>
    /// <returns>Null when allowed; otherwise how long until a permit is free again.</returns>
    public async Task<TimeSpan?> TryTakeAsync(string scope, string subject, int limit, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var current = await HitAsync(scope, subject, window, cancellationToken);
        var before = await PreviousWindowAsync(scope, subject, window, now, cancellationToken);
        return Within(current.Count + before.Weight, limit) ? null : WaitFor(limit, window, current.Count, before);
    }

    /// <summary>
    /// How long until an attempt would be allowed, without counting one: null when it would be now. For the limits after
    /// one that refused, so that the wait told is the longest of all.
    /// </summary>
    public async Task<TimeSpan?> WaitWithoutTakingAsync(string scope, string subject, int limit, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var current = await PeekAsync(scope, subject, window, cancellationToken);
        var before = await PreviousWindowAsync(scope, subject, window, now, cancellationToken);
        return Within(current.Count + 1 + before.Weight, limit) ? null : WaitFor(limit, window, current.Count, before);
    }

    /// <summary>The previous window's count, and how much of it is still inside the last <c>window</c>.</summary>
    private sealed record PreviousWindow(int Count, double StillInside, TimeSpan UntilThisWindowEnds)
    {
        public double Weight => Count * StillInside;
    }

    private async Task<PreviousWindow> PreviousWindowAsync(string scope, string subject, TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var start = WindowStart(now, window);
        var previousStart = start - window;
        var count = await db.ThrottleCounters.AsNoTracking()
            .Where(c => c.Scope == scope && c.Subject == subject && c.WindowStart == previousStart)
            .Select(c => (int?)c.Count)
            .SingleOrDefaultAsync(cancellationToken) ?? 0;
        return new PreviousWindow(count, 1 - ((now - start) / window), start + window - now);
    }

    /// <summary>
    /// How long until one more attempt would be allowed, this window's <paramref name="count"/> counted (with the refused
    /// attempt, when it was) and the next attempt to be counted when it comes. Within this window, once the previous
    /// window's weight has faded enough, if this window leaves room for one more; otherwise in the next window, once
    /// enough of this window's weight has faded there.
    /// </summary>
    private static TimeSpan WaitFor(int limit, TimeSpan window, int count, PreviousWindow before)
    {
        if (count + 1 <= limit && before.Count > 0)
        {
            var fadeTo = (limit - count - 1) / (double)before.Count;
            return Longer((before.StillInside - fadeTo) * window);
        }

        var fadeNext = Math.Min(1, Math.Max(0, limit - 1) / (double)count);
        return Longer(before.UntilThisWindowEnds + ((1 - fadeNext) * window));

        // Up to a whole second, at least one: what a person is told, and what Retry-After can say.
        static TimeSpan Longer(TimeSpan wait) => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(wait.TotalSeconds)));
    }

    /// <summary>
    /// Whether a weighted count is within the limit, allowing for the rounding of the weight: an attempt made at the very
    /// second a wait ends (<see cref="WaitFor"/>) is allowed, whatever the last bit of the arithmetic says.
    /// </summary>
    private static bool Within(double weighted, int limit) => weighted <= limit + 1e-9;

    /// <summary>The current window's count, without counting.</summary>
    public async Task<ThrottleState> PeekAsync(string scope, string subject, TimeSpan window, CancellationToken cancellationToken)
    {
        var start = WindowStart(time.GetUtcNow(), window);
        var row = await db.ThrottleCounters.AsNoTracking()
            .Where(c => c.Scope == scope && c.Subject == subject && c.WindowStart == start)
            .Select(c => new { c.Count, c.LastAt })
            .SingleOrDefaultAsync(cancellationToken);
        return row is null ? ThrottleState.None : new ThrottleState(row.Count, row.LastAt);
    }

    /// <summary>
    /// A client, by the keyed hash of its address: an IPv4 address, or an IPv6 /64, since one home or phone is given a
    /// whole /64 and counting its addresses one by one would count nothing.
    /// </summary>
    public string ClientSubject(IPAddress? address) => TextSubject("client", ClientPartition(address));

    /// <summary>Anything a person typed (an email address, an account name), by its keyed hash, lower-cased first.</summary>
    public string TextSubject(string kind, string value) =>
        kind + ":" + _hash.Hex(value.Trim().ToLowerInvariant())[..40];

    public static string ClientPartition(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static DateTimeOffset WindowStart(DateTimeOffset now, TimeSpan window) =>
        new(now.UtcTicks - (now.UtcTicks % window.Ticks), TimeSpan.Zero);

    private sealed record HitRow(int Count, DateTimeOffset LastAt);
}
