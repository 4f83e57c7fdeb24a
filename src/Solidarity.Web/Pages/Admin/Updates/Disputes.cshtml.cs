using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin.Updates;

/// <summary>
/// Where updates start: every dispute, with its updates waiting and published. Moderators reach the updates from here,
/// since the disputes' own pages are for admins.
/// </summary>
internal sealed class DisputesModel(SolidarityDbContext db) : PageModel
{
    public IReadOnlyList<Row> Disputes { get; private set; } = [];

    internal sealed record Row(Guid Id, string Title, DisputeStatus Status, bool IsPublished, int Waiting, int Published);

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Disputes = await db.Disputes.AsNoTracking()
            .OrderByDescending(d => d.UpdatedAt)
            .Select(d => new Row(
                d.Id, d.Title, d.Status, d.IsPublished,
                d.Updates.Count(u => u.Status != UpdateStatus.Published),
                d.Updates.Count(u => u.Status == UpdateStatus.Published)))
            .ToListAsync(cancellationToken);
}
