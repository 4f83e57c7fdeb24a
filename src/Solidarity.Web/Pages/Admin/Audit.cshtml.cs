using Microsoft.AspNetCore.Http;

namespace Solidarity.Web.Pages.Admin;

internal sealed class AuditModel(SolidarityDbContext db) : PageModel
{
    public const int PageSize = 50;

    public IReadOnlyList<Row> Entries { get; private set; } = [];
    public int PageNumber { get; private set; } = 1;
    public int PageCount { get; private set; } = 1;
    public bool BadPageNumber { get; private set; }

    internal sealed record Row(long Id, DateTimeOffset At, string UserName, string Action, string SubjectType, string SubjectId, string? Details);

    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "page")] string? page, CancellationToken cancellationToken)
    {
        if (page is not null && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var requested) || requested < 1))
        {
            // Answered with this page's own body, so the 400 does not depend on the site's error pages.
            Response.StatusCode = StatusCodes.Status400BadRequest;
            BadPageNumber = true;
            return Page();
        }

        PageNumber = page is null ? 1 : int.Parse(page, CultureInfo.InvariantCulture);
        var total = await db.AuditEntries.CountAsync(cancellationToken);
        PageCount = Math.Max(1, (total + PageSize - 1) / PageSize);
        if (PageNumber > PageCount)
        {
            return NotFound();
        }

        Entries = await db.AuditEntries.AsNoTracking()
            .OrderByDescending(e => e.Id)
            .Skip((PageNumber - 1) * PageSize)
            .Take(PageSize)
            .Select(e => new Row(e.Id, e.At, e.UserName, e.Action, e.SubjectType, e.SubjectId, e.Details))
            .ToListAsync(cancellationToken);
        return Page();
    }
}
