using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Solidarity.Core.Data;

namespace Solidarity.Web.Pages.Disputes;

internal sealed class MessageModel(SolidarityDbContext db) : PageModel
{
    public DisputePage Dispute { get; private set; } = default!;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken cancellationToken)
    {
        var dispute = await DisputePage.LoadAsync(db, slug, cancellationToken);
        if (dispute is null)
        {
            return NotFound();
        }

        Dispute = dispute;
        return Page();
    }
}
