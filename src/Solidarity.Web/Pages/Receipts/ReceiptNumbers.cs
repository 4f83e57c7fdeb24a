using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Data;
using Solidarity.Web.Infrastructure.Hosting;

namespace Solidarity.Web.Pages.Receipts;

/// <summary>Gap-free numbers per series and (London) year.</summary>
internal sealed class ReceiptNumbers(SolidarityDbContext db)
{
    /// <summary>
    /// Takes the next number. Must run inside the transaction that stores the document: the counter row
    /// stays locked until it commits, so concurrent issuers queue, and a rollback returns the number.
    /// </summary>
    public async Task<string> TakeAsync(string series, DateTimeOffset issuedFor, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A receipt number is taken inside the transaction that stores the receipt.");
        }

        var year = LondonClock.ToLondon(issuedFor).Year;
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
