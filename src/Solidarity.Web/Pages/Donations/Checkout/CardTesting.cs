using System.Net;
using Solidarity.Core.Throttling;

namespace Solidarity.Web.Pages.Donations.Checkout;

/// <summary>A client or an email address that may start no checkout until <see cref="Until"/>.</summary>
internal sealed record CheckoutBlock(string Kind, DateTimeOffset Since, DateTimeOffset Until);

/// <summary>
/// Card testing: a script tries stolen card numbers through the smallest donation, and every declined attempt reaches
/// the site as <c>payment_intent.payment_failed</c> and <c>charge.failed</c>. Each declined attempt is counted once
/// (both events name the same charge) against the client that started the checkout and against its email address;
/// <see cref="CheckoutLimitSettings.DeclinedPaymentsBeforeBlock"/> of them within an hour block new checkouts from that
/// client or address for a day. One client address can be many people, though: a rally's Wi-Fi, or a phone network that
/// gives thousands of phones one address, on the day a speaker asks a crowd to give. Every paid gift the client started
/// in the hour raises its allowance of declines by one (<see cref="PaidGiftsFromAsync"/>), so a crowd whose cards are
/// mostly taken is never blocked by the few that are not, while a script whose cards are mostly declined still is.
/// Everything is kept as the throttles' keyed hashes, in PostgreSQL, and for at most a day (<see cref="PurgeThrottlesJob"/>).
/// </summary>
internal sealed class CardTesting(SolidarityDbContext db, Throttle throttle, IOptions<CheckoutLimitSettings> options, TimeProvider time)
{
    public const string ClientKind = "client";
    public const string EmailKind = "email";

    public static readonly TimeSpan BlockedFor = TimeSpan.FromDays(1);

    /// <summary>How far back declined payments, and the paid gifts that offset them, are counted.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private const string DeclinedAttemptScope = "declined-attempt";
    private const string DeclinedClientScope = "declined-client";
    private const string DeclinedEmailScope = "declined-email";
    private const string BlockedClientScope = "blocked-client";
    private const string BlockedEmailScope = "blocked-email";

    /// <summary>Remembers which client started the donation's checkout; saved with the donation.</summary>
    public void RememberClient(Guid donationId, IPAddress? client) =>
        db.CheckoutClients.Add(new CheckoutClient { DonationId = donationId, ClientSubject = throttle.ClientSubject(client), CreatedAt = time.GetUtcNow() });

    /// <summary>
    /// Counts one declined attempt at paying <paramref name="donationId"/>, once per <paramref name="attemptId"/> (the
    /// charge, when Stripe names one), and blocks the client and the address once they have had too many.
    /// </summary>
    /// <returns>Whether this call blocked a client or an address.</returns>
    public async Task<bool> DeclinedAsync(Guid donationId, string? email, string attemptId, CancellationToken cancellationToken)
    {
        if ((await throttle.HitAsync(DeclinedAttemptScope, attemptId, BlockedFor, cancellationToken)).Count > 1)
        {
            return false;
        }

        var client = await db.CheckoutClients.AsNoTracking()
            .Where(c => c.DonationId == donationId).Select(c => c.ClientSubject).SingleOrDefaultAsync(cancellationToken);
        var blocked = false;
        foreach (var (counted, block, subject) in new[]
        {
            (DeclinedClientScope, BlockedClientScope, client),
            (DeclinedEmailScope, BlockedEmailScope, string.IsNullOrWhiteSpace(email) ? null : throttle.TextSubject("email", email)),
        })
        {
            if (subject is null)
            {
                continue;
            }

            var limit = options.Value.DeclinedPaymentsBeforeBlock - 1
                + (counted == DeclinedClientScope ? await PaidGiftsFromAsync(subject, cancellationToken) : 0);
            if (await throttle.TryTakeAsync(counted, subject, limit, Window, cancellationToken) is not null)
            {
                // A minute's window starts with the block, so it lasts a day from now and is purged a day from now.
                await throttle.HitAsync(block, subject, TimeSpan.FromMinutes(1), cancellationToken);
                blocked = true;
            }
        }

        return blocked;
    }

    /// <summary>
    /// How many card gifts whose checkout <paramref name="clientSubject"/> started within the last <see cref="Window"/>
    /// Stripe has confirmed paid (a refund later does not undo that the card was real and taken).
    /// </summary>
    public Task<int> PaidGiftsFromAsync(string clientSubject, CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - Window;
        return db.CheckoutClients
            .Where(c => c.ClientSubject == clientSubject && c.CreatedAt > since)
            .CountAsync(c => db.Donations.Any(d => d.Id == c.DonationId && d.PaidAt != null), cancellationToken);
    }

    /// <summary>How long until <paramref name="client"/> and <paramref name="email"/> may start a checkout; null when neither is blocked.</summary>
    public async Task<TimeSpan?> BlockedForAsync(IPAddress? client, string email, CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - BlockedFor;
        var (clientSubject, emailSubject) = (throttle.ClientSubject(client), throttle.TextSubject("email", email));
        var latest = await db.ThrottleCounters.AsNoTracking()
            .Where(c => c.WindowStart > since
                && ((c.Scope == BlockedClientScope && c.Subject == clientSubject) || (c.Scope == BlockedEmailScope && c.Subject == emailSubject)))
            .MaxAsync(c => (DateTimeOffset?)c.WindowStart, cancellationToken);
        return latest is { } start ? start + BlockedFor - time.GetUtcNow() : null;
    }

    /// <summary>Every block in force, newest first, for the reconciliation page: what kind of subject, since and until when.</summary>
    public async Task<IReadOnlyList<CheckoutBlock>> BlocksAsync(CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - BlockedFor;
        var rows = await db.ThrottleCounters.AsNoTracking()
            .Where(c => (c.Scope == BlockedClientScope || c.Scope == BlockedEmailScope) && c.WindowStart > since)
            .OrderByDescending(c => c.WindowStart)
            .Select(c => new { c.Scope, c.WindowStart })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new CheckoutBlock(r.Scope == BlockedClientScope ? ClientKind : EmailKind, r.WindowStart, r.WindowStart + BlockedFor)).ToList();
    }
}
