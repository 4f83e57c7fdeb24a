namespace Solidarity.Web.Pages.Disputes.Books;

/// <summary>The books as CSV, cached and evicted as the books page is.</summary>
internal static class BooksEndpoints
{
    public static void MapOpenBooks(this WebApplication app) =>
        app.MapGet("/disputes/{slug}/books.csv", BooksCsvAsync).CacheOutput(PublicPageCaching.PolicyName).ForAudience(Audience.Public);

    private static async Task<IResult> BooksCsvAsync(string slug, HttpContext http, OpenBooksQuery query, CancellationToken cancellationToken)
    {
        var books = await query.LoadAsync(slug, cancellationToken);
        if (books is null)
        {
            return Results.NotFound();
        }

        http.TagDispute(books.DisputeId);
        return Results.File(
            Encoding.UTF8.GetBytes(BooksCsv.Write(books)), BooksCsv.ContentType, $"{books.Slug}-books.csv");
    }
}
