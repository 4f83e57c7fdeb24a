using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Solidarity.Core.Data;

namespace Solidarity.Web.Pages.Disputes;

internal sealed class DetailsModel(SolidarityDbContext db, DisputeTotalsQuery totals, TimeProvider time) : PageModel
{
    public DisputePage Dispute { get; private set; } = default!;
    public Progress Progress { get; private set; } = default!;
    public DateTimeOffset Now { get; private set; }
    public string? NowOrNext { get; private set; }

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken cancellationToken)
    {
        var dispute = await DisputePage.LoadAsync(db, slug, cancellationToken);
        if (dispute is null)
        {
            return NotFound();
        }

        Dispute = dispute;
        Progress = Progress.Of(await totals.ForDisputeAsync(dispute.Id, cancellationToken), dispute.TargetPence);
        Now = time.GetUtcNow();
        NowOrNext = ActionTimeline.NowOrNext(dispute.Actions, Now);
        return Page();
    }
}
