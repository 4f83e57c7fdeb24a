using Solidarity.Web.Infrastructure.Tokens;

namespace Solidarity.Web.Pages.Receipts;

internal static class ReceiptEndpoints
{
    /// <summary>
    /// GET /receipts/{token}: the PDF an emailed link points to, or a 404 in words that say where else to look, the
    /// same whether or not a receipt exists. GET /donations/{id}/receipt: the receipt for the browser that made the
    /// donation, within a day; anything else there is a plain 404. GET /receipts/statement/{token}: a statement of a year's giving, made from the gifts
    /// when the link is opened; 410 in words once the donor was erased.
    /// </summary>
    public static void MapReceipts(this WebApplication app)
    {
        app.MapGet("/receipts/{token}", async (string token, SolidarityDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var now = time.GetUtcNow();
            var receipt = !ReceiptTokens.TryHash(token, out var hash) ? null : await db.Receipts.AsNoTracking()
                .Where(r => r.DownloadTokenHash == hash && r.DownloadTokenExpiresAt > now)
                .Select(r => new { r.Number, r.Pdf })
                .SingleOrDefaultAsync(cancellationToken);
            return receipt is null
                ? Results.Text(ReceiptNotFound, "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound)
                : Pdf(receipt.Number, receipt.Pdf);
        }).ForAudience(Audience.Public);

        app.MapGet(YearStatements.Path + "/{token}", async (
            string token, SolidarityDbContext db, YearStatementQuery query, YearStatementDocument document, TimeProvider time,
            CancellationToken cancellationToken) =>
        {
            var now = time.GetUtcNow();
            var statement = !LinkTokens.TryHash(token, out var hash) ? null : await db.YearStatements.AsNoTracking()
                .Where(s => s.DownloadTokenHash == hash && s.DownloadTokenExpiresAt > now)
                .Select(s => new { s.Year, s.DonationIds, s.ErasedAt })
                .SingleOrDefaultAsync(cancellationToken);
            if (statement is null)
            {
                return Results.Text(StatementNotFound, "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
            }

            var facts = statement.ErasedAt is null ? await query.LoadAsync(statement.Year, statement.DonationIds, cancellationToken) : null;
            return facts is null
                ? Results.Text(StatementErased, "text/plain; charset=utf-8", statusCode: StatusCodes.Status410Gone)
                : Pdf($"statement-of-giving-{statement.Year}", document.Render(facts, now));
        }).ForAudience(Audience.Public);

        app.MapGet("/donations/{donationId:guid}/receipt", async (
            Guid donationId, HttpContext http, DonorBrowser donor, SolidarityDbContext db, CancellationToken cancellationToken) =>
        {
            if (!donor.MadeDonation(http, donationId))
            {
                return Results.NotFound();
            }

            var receipt = await db.Receipts.AsNoTracking()
                .Where(r => r.DonationId == donationId && r.Kind == ReceiptKind.Receipt)
                .Select(r => new { r.Number, r.Pdf })
                .SingleOrDefaultAsync(cancellationToken);
            return receipt is null ? Results.NotFound() : Pdf(receipt.Number, receipt.Pdf);
        }).ForAudience(Audience.Public);
    }

    /// <summary>The same words whether the link expired or never existed, so they tell no one whether a receipt does.</summary>
    public const string ReceiptNotFound =
        "This receipt link has expired or is not a working link. The receipt is also attached to its email as a PDF. A " +
        "statement of giving lists every gift from your email address with its receipt number: ask for one at " + YearStatements.Path + ".";

    public const string StatementNotFound =
        "This link to a statement of giving has expired or is not a working link. Ask for a new statement at " + YearStatements.Path + ".";

    public const string StatementErased =
        "This statement of giving is no longer available: the donor's personal data was erased at their request.";

    private static PrivatePdf Pdf(string number, byte[] pdf) => new(number, pdf);

    /// <summary>A PDF download that no shared cache keeps.</summary>
    private sealed class PrivatePdf(string number, byte[] pdf) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.CacheControl = "private, no-store";
            httpContext.Response.Headers["X-Robots-Tag"] = "noindex";
            return Results.File(pdf, "application/pdf", $"{number}.pdf").ExecuteAsync(httpContext);
        }
    }
}
