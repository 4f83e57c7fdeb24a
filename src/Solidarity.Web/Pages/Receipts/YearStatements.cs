using System.Net;
using Hangfire;
using Solidarity.Core.Email;
using Solidarity.Web.Infrastructure.Throttling;
using Solidarity.Web.Pages.Admin.Donors;

namespace Solidarity.Web.Pages.Receipts;

/// <summary>
/// Statements of a year's giving: one PDF per donor and calendar year (London time), listing every gift with its receipt
/// and every credit note against them, reached by an emailed link. A donor asks at /receipts/statement, and the
/// January job sends them to regular givers. Either way the answer says nothing about whether the address gave (not by
/// its words, nor by its time: <see cref="SteadyAnswers"/>): where
/// it did, a statement row names the gifts and a job emails the link. The row is unique per address, year and occasion,
/// so a request repeated the same day, or the January job run twice, sends one email.
/// </summary>
internal sealed class YearStatements(SolidarityDbContext db, Throttle throttle, IBackgroundJobClient jobs, TimeProvider time)
{
    public const string Scope = "year-statement";
    public const int PerAddressPerDay = 3;
    public const int PerClientPerDay = 10;
    public static readonly TimeSpan Window = TimeSpan.FromDays(1);

    /// <summary>The earliest year a statement can be asked for; no gift on the site is older.</summary>
    public const int FirstYear = 2000;

    /// <summary>The occasion of the yearly mailing: one per address and year, however often it runs.</summary>
    public const string YearlyOccasion = "january";

    public const string Path = "/receipts/statement";

    /// <summary>
    /// A donor's request from the site. Null when it was taken (and, if the address gave that year, a statement is on its
    /// way); otherwise how long until the address and the client may ask again.
    /// </summary>
    public async Task<TimeSpan?> RequestAsync(string email, int year, IPAddress? client, CancellationToken cancellationToken)
    {
        // Both are counted every time, so the limits cannot tell anyone whether the address gave.
        var byAddress = await throttle.TryTakeAsync(Scope, throttle.TextSubject("statement", email), PerAddressPerDay, Window, cancellationToken);
        var byClient = await throttle.TryTakeAsync(Scope, throttle.ClientSubject(client), PerClientPerDay, Window, cancellationToken);
        if (byAddress is not null || byClient is not null)
        {
            return byAddress > byClient ? byAddress : byClient ?? byAddress;
        }

        // An address that gave costs writes and an enqueue more than one that did not: the answer waits the same either way.
        var today = LondonClock.ToLondon(time.GetUtcNow()).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await SteadyAnswers.NoSoonerThanFloorAsync(() => QueueAsync(email, year, $"asked:{today}", cancellationToken), time, cancellationToken);
        return null;
    }

    /// <summary>
    /// Queues the email of <paramref name="year"/>'s statement to <paramref name="email"/>, once per address and year
    /// however often it is called: what the January job calls for each address.
    /// </summary>
    /// <returns>False when the address gave nothing that year, or its statement was queued before.</returns>
    public Task<bool> SendAsync(string email, int year, CancellationToken cancellationToken = default) =>
        QueueAsync(email, year, YearlyOccasion, cancellationToken);

    /// <summary>
    /// Who the January job writes to: the monthly givers of the year, as the addresses with at least one paid monthly
    /// payment in it (London time), lower-cased, erased donors never among them. Their statement then lists every gift
    /// from that address, one-off gifts too.
    /// </summary>
    public Task<List<string>> MonthlyGiversOfYearAsync(int year, CancellationToken cancellationToken)
    {
        var (from, to) = YearBounds(year);
        var paid = nameof(DonationStatus.Paid);
        return db.Database.SqlQuery<string>($"""
            SELECT DISTINCT lower("Email") AS "Value" FROM "Donations"
            WHERE "MonthlyGiftId" IS NOT NULL AND "Email" IS NOT NULL AND "ErasedAt" IS NULL AND "Status" = {paid}
              AND "PaidAt" >= {from} AND "PaidAt" < {to}
            ORDER BY 1
            """).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The gifts a statement of <paramref name="year"/> lists for an address: paid within the London year, or paid and
    /// later reversed after its receipt was issued (a credit note answers it), matched by the address lower-cased as
    /// everywhere on the site, and never a gift whose donor was erased. Offline money reversed before its receipt was
    /// issued was never receipted and nets to nothing in the ledger, so the statement leaves it out.
    /// </summary>
    public IQueryable<Donation> GiftsOf(string email, int year)
    {
        var normalised = DonorEmail.Normalise(email);
        var (from, to) = YearBounds(year);
        return db.Donations.AsNoTracking()
#pragma warning disable CA1304, CA1311, CA1862 // EF turns ToLower() into SQL lower(), which the lower("Email") index matches; neither a culture nor a StringComparison translates.
            .Where(d => d.Email != null && d.Email.ToLower() == normalised && d.ErasedAt == null)
#pragma warning restore CA1304, CA1311, CA1862
            .Where(d => d.Status == DonationStatus.Paid
                || (d.Status == DonationStatus.Reversed && db.Receipts.Any(r => r.DonationId == d.Id && r.Kind == ReceiptKind.Receipt)))
            .Where(d => d.PaidAt >= from && d.PaidAt < to);
    }

    /// <summary>The first instant of the London year and the first of the next.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) YearBounds(int year) =>
        (LondonClock.FromLondon(new DateTime(year, 1, 1)), LondonClock.FromLondon(new DateTime(year + 1, 1, 1)));

    /// <summary>The key a statement names its address by: a keyed hash, as the throttles name addresses.</summary>
    public string AddressKey(string email) => throttle.TextSubject("statement", DonorEmail.Normalise(email));

    private async Task<bool> QueueAsync(string email, int year, string occasion, CancellationToken cancellationToken)
    {
        var ids = await GiftsOf(email, year).OrderBy(d => d.PaidAt).ThenBy(d => d.Id).Select(d => d.Id).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return false;
        }

        var key = AddressKey(email);
        var now = time.GetUtcNow();
        var statement = new YearStatement { Year = year, AddressKey = key, Occasion = occasion, DonationIds = ids, CreatedAt = now };
        db.YearStatements.Add(statement);

        // The delivery row is what makes the job safe to run twice: it sends while the row says nothing was sent.
        db.EmailDeliveries.Add(new EmailDelivery { Key = SendYearStatementJob.DeliveryKey(statement.Id), CreatedAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();

            // Asked before: enqueue again only if that email never went, in case the process stopped before enqueueing it.
            var earlier = await db.YearStatements.AsNoTracking()
                .Where(s => s.AddressKey == key && s.Year == year && s.Occasion == occasion)
                .Select(s => s.Id)
                .SingleAsync(cancellationToken);
            var deliveryKey = SendYearStatementJob.DeliveryKey(earlier);
            if (await db.EmailDeliveries.AnyAsync(d => d.Key == deliveryKey && d.SentAt == null && d.Attempts == 0, cancellationToken))
            {
                jobs.Enqueue<SendYearStatementJob>(job => job.RunAsync(earlier, CancellationToken.None));
            }

            return false;
        }

        db.ChangeTracker.Clear();
        jobs.Enqueue<SendYearStatementJob>(job => job.RunAsync(statement.Id, CancellationToken.None));
        return true;
    }
}
