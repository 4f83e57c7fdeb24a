using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin.Disputes;

internal sealed class IndexModel(SolidarityDbContext db) : PageModel
{
    public IReadOnlyList<Row> Disputes { get; private set; } = [];

    internal sealed record Row(Guid Id, string Title, string Slug, string Employer, string Union, DisputeStatus Status, bool IsPublished, DateTimeOffset UpdatedAt);

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Disputes = await db.Disputes.AsNoTracking()
            .OrderByDescending(d => d.UpdatedAt)
            .Select(d => new Row(d.Id, d.Title, d.Slug, d.Employer, d.Union.Name, d.Status, d.IsPublished, d.UpdatedAt))
            .ToListAsync(cancellationToken);
}
