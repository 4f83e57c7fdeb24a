namespace Solidarity.Web.Pages.Receipts;

/// <summary>
/// Gap-free numbers per series and (London) year. A document takes a number of the year it is issued in, not of the
/// year its money was received or refunded in: once a year is over, its series is closed, and the treasurer can hand
/// its receipts to the accountants knowing none will be added. Offline money is often recorded days after it came (a
/// cheque received on 28 December and recorded on 3 January takes a number of the new year, and the receipt gives both
/// dates). The issue time rather than the donation's CreatedAt, because a card donation's row is created when checkout
/// starts, perhaps in the old year, and a job delayed or retried across midnight would otherwise add to a closed series.
/// Issuing follows recording within moments, so this is the year of recording in all but the rare document whose job
/// ran across the year end, which takes the later year: the safe side.
/// </summary>
internal sealed class ReceiptNumbers(SolidarityDbContext db)
{
    /// <summary>
    /// Takes the next number. Must run inside the transaction that stores the document: the counter row
    /// stays locked until it commits, so concurrent issuers queue, and a rollback returns the number.
    /// </summary>
    /// <param name="issuedAt">When the document is issued (now): its London year chooses the year's sequence.</param>
    public async Task<string> TakeAsync(string series, DateTimeOffset issuedAt, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A receipt number is taken inside the transaction that stores the receipt.");
        }

        var year = LondonClock.ToLondon(issuedAt).Year;
        // Materialised as it is: EF would wrap a composed query in a sub-select, where INSERT ... RETURNING may not stand.
        var taken = (await db.Database.SqlQuery<long>($"""
            INSERT INTO "ReceiptCounters" ("Series", "Year", "Next") VALUES ({series}, {year}, 2)
            ON CONFLICT ("Series", "Year") DO UPDATE SET "Next" = "ReceiptCounters"."Next" + 1
            RETURNING "Next" - 1 AS "Value"
            """).ToListAsync(cancellationToken)).Single();
        return Format(series, year, taken);
    }

    public static string Format(string series, int year, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{series}-{year}-{sequence:D6}");
}
