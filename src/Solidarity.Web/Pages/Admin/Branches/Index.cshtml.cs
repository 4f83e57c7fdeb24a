namespace Solidarity.Web.Pages.Admin.Branches;

internal sealed class IndexModel(SolidarityDbContext db) : PageModel
{
    public IReadOnlyList<Row> Branches { get; private set; } = [];

    [TempData]
    public string? Notice { get; set; }

    internal sealed record Row(Guid Id, string Code, string Name, string Union, string ContactName, string? ContactEmail);

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Branches = await db.Branches.AsNoTracking()
            .OrderBy(b => b.Code)
            .Select(b => new Row(b.Id, b.Code, b.Name, b.Union.Name, b.ContactName, b.ContactEmail))
            .ToListAsync(cancellationToken);
}
