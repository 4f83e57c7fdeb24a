using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin.Updates;

/// <summary>A dispute's updates in every state: drafts, scheduled and published.</summary>
internal sealed class IndexModel(SolidarityDbContext db) : PageModel
{
    public UpdatesHeading Dispute { get; private set; } = default!;
    public IReadOnlyList<UpdateRow> Updates { get; private set; } = [];

    [TempData]
    public string? Notice { get; set; }

    internal sealed record UpdateRow(
        Guid Id, string Title, UpdateStatus Status, DateTimeOffset? PublishedAt, DateTimeOffset? ScheduledFor, DateTimeOffset CreatedAt,
        string AuthorName, int Revisions, DisputeStatus? AnnouncesStatus);

    public async Task<IActionResult> OnGetAsync(Guid disputeId, CancellationToken cancellationToken)
    {
        var dispute = await UpdatesHeading.FindAsync(db, disputeId, cancellationToken);
        if (dispute is null)
        {
            return NotFound();
        }

        Dispute = dispute;
        Updates = await db.DisputeUpdates.AsNoTracking()
            .Where(u => u.DisputeId == disputeId)
            .OrderBy(u => u.Status == UpdateStatus.Published ? 1 : 0)
            .ThenByDescending(u => u.PublishedAt ?? u.ScheduledFor ?? u.CreatedAt)
            .Select(u => new UpdateRow(u.Id, u.Title, u.Status, u.PublishedAt, u.ScheduledFor, u.CreatedAt, u.AuthorName, u.Revisions.Count, u.AnnouncesStatus))
            .ToListAsync(cancellationToken);
        return Page();
    }
}
