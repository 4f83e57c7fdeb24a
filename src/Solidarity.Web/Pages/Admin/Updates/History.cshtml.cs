using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin.Updates;

/// <summary>An update as it is now and every earlier version, with who replaced it and when.</summary>
internal sealed class HistoryModel(SolidarityDbContext db) : PageModel
{
    public Current Update { get; private set; } = default!;
    public IReadOnlyList<Revision> Revisions { get; private set; } = [];

    internal sealed record Current(Guid Id, Guid DisputeId, string DisputeTitle, string Title, string Body, UpdateStatus Status, DateTimeOffset CreatedAt, string AuthorName);

    internal sealed record Revision(DateTimeOffset EditedAt, string EditedBy, string PreviousTitle, string PreviousBody);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        var update = await db.DisputeUpdates.AsNoTracking()
            .Where(u => u.Id == id)
            .Join(db.Disputes, u => u.DisputeId, d => d.Id, (u, d) => new Current(u.Id, d.Id, d.Title, u.Title, u.Body, u.Status, u.CreatedAt, u.AuthorName))
            .SingleOrDefaultAsync(cancellationToken);
        if (update is null)
        {
            return NotFound();
        }

        Update = update;
        Revisions = await db.DisputeUpdateRevisions.AsNoTracking()
            .Where(r => r.UpdateId == id)
            .OrderByDescending(r => r.EditedAt).ThenByDescending(r => r.Id)
            .Select(r => new Revision(r.EditedAt, r.EditedByName, r.PreviousTitle, r.PreviousBody))
            .ToListAsync(cancellationToken);
        return Page();
    }
}
