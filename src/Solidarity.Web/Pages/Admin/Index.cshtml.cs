using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin;

internal sealed class IndexModel(SolidarityDbContext db) : PageModel
{
    public Counts Totals { get; private set; } = default!;

    internal sealed record Counts(int Disputes, int Published, int Active, int Unpublished, int Branches, int Unions, int AuditEntries);

    public int MessagesWaiting { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var disputes = await db.Disputes.AsNoTracking()
            .GroupBy(d => new { d.IsPublished, d.Status })
            .Select(g => new { g.Key.IsPublished, g.Key.Status, Count = g.Count() })
            .ToListAsync(cancellationToken);
        Totals = new Counts(
            disputes.Sum(d => d.Count),
            disputes.Where(d => d.IsPublished).Sum(d => d.Count),
            disputes.Where(d => d.IsPublished && d.Status.IsActive()).Sum(d => d.Count),
            disputes.Where(d => !d.IsPublished).Sum(d => d.Count),
            await db.Branches.CountAsync(cancellationToken),
            await db.Unions.CountAsync(cancellationToken),
            await db.AuditEntries.CountAsync(cancellationToken));
        MessagesWaiting = await Messages.ModerationQueue.Waiting(db).CountAsync(cancellationToken);
    }
}
