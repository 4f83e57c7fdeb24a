using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Solidarity.Core.Data;
using Solidarity.Core.Disputes;
using Solidarity.Web.Pages.Disputes;

namespace Solidarity.Web.Pages;

internal sealed class IndexModel(SolidarityDbContext db, DisputeTotalsQuery totals, TimeProvider time) : PageModel
{
    private const int PageSize = 12;

    public IReadOnlyList<DisputeCard> Disputes { get; private set; } = [];
    public Paging Paging { get; private set; } = new(1, PageSize, 0);

    public async Task<IActionResult> OnGetAsync([FromQuery] int page = 1, CancellationToken cancellationToken = default)
    {
        if (!ModelState.IsValid || page < 1)
        {
            return BadRequest();
        }

        (Disputes, Paging) = await new DisputeCardsQuery(db, totals, time)
            .PageAsync(DisputeStatuses.Active, page, PageSize, cancellationToken);
        return Paging.Exists ? Page() : NotFound();
    }
}
