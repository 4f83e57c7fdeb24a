using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin.Updates;

/// <summary>The dispute whose updates a page lists or writes, published or not, as the page's heading and links show it.</summary>
internal sealed record UpdatesHeading(Guid Id, string Title, string Slug, DisputeStatus Status, bool IsPublished)
{
    public static Task<UpdatesHeading?> FindAsync(SolidarityDbContext db, Guid disputeId, CancellationToken cancellationToken) =>
        db.Disputes.AsNoTracking()
            .Where(d => d.Id == disputeId)
            .Select(d => new UpdatesHeading(d.Id, d.Title, d.Slug, d.Status, d.IsPublished))
            .SingleOrDefaultAsync(cancellationToken);
}
