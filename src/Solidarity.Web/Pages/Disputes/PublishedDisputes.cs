using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Disputes;

/// <summary>The heading of a dispute's public page: what a page about one published dispute starts from.</summary>
internal sealed record DisputeHeading(Guid Id, string Slug, string Title, DisputeStatus Status);

/// <summary>What a page about one published dispute shows (its books, its chart, its supporters), by the dispute it is about.</summary>
internal interface IDisputeView
{
    Guid DisputeId { get; }
}

internal static class PublishedDisputes
{
    /// <summary>The published dispute at <paramref name="slug"/>; null for none, without a query for a malformed slug.</summary>
    public static async Task<DisputeHeading?> HeadingAsync(SolidarityDbContext db, string slug, CancellationToken cancellationToken) =>
        Slugs.IsWellFormed(slug)
            ? await db.Disputes.AsNoTracking()
                .Where(d => d.Slug == slug && d.IsPublished)
                .Select(d => new DisputeHeading(d.Id, d.Slug, d.Title, d.Status))
                .SingleOrDefaultAsync(cancellationToken)
            : null;

    /// <summary>
    /// The page for <paramref name="view"/>, a view of the published dispute the page's slug names: not found when there
    /// is none; otherwise tagged with the dispute, so that any change to the dispute evicts the cached page.
    /// </summary>
    public static async Task<IActionResult> ShowDisputeViewAsync<TView>(this PageModel page, Task<TView?> view, Action<TView> show)
        where TView : class, IDisputeView
    {
        if (await view is not { } found)
        {
            return page.NotFound();
        }

        page.HttpContext.TagDispute(found.DisputeId);
        show(found);
        return page.Page();
    }
}
