namespace Solidarity.Web.Pages.Disputes;

/// <summary>The heading of a dispute's public page: what a page about one published dispute starts from.</summary>
internal sealed record DisputeHeading(Guid Id, string Slug, string Title);

internal static class PublishedDisputes
{
    /// <summary>The published dispute at <paramref name="slug"/>; null for none, without a query for a malformed slug.</summary>
    public static async Task<DisputeHeading?> HeadingAsync(SolidarityDbContext db, string slug, CancellationToken cancellationToken) =>
        Slugs.IsWellFormed(slug)
            ? await db.Disputes.AsNoTracking()
                .Where(d => d.Slug == slug && d.IsPublished)
                .Select(d => new DisputeHeading(d.Id, d.Slug, d.Title))
                .SingleOrDefaultAsync(cancellationToken)
            : null;
}
