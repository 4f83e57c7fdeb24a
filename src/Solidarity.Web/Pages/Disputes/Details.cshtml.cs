using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Solidarity.Core.Data;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Messages;

namespace Solidarity.Web.Pages.Disputes;

internal sealed class DetailsModel(
    SolidarityDbContext db,
    DisputeTotalsQuery totals,
    ApprovedMessagesQuery approvedMessages,
    IOptions<MessageSettings> messageSettings,
    SiteAddress site,
    TimeProvider time) : PageModel
{
    public DisputePage Dispute { get; private set; } = default!;
    public Progress Progress { get; private set; } = default!;
    public DateTimeOffset Now { get; private set; }
    public string? NowOrNext { get; private set; }
    public MessageList Messages { get; private set; } = default!;

    /// <summary>An empty form for a new message; a refused one is shown again on the message page, never here.</summary>
    public MessageInput MessageInput { get; } = new();

    public string CanonicalUrl { get; private set; } = "";

    /// <summary>"£1,234 raised of £20,000 · " and the summary: what a shared link shows under the title.</summary>
    public string PreviewDescription { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(string slug, [FromQuery(Name = "messages")] int messages = 1, CancellationToken cancellationToken = default)
    {
        if (!ModelState.IsValid || messages < 1)
        {
            return BadRequest();
        }

        Now = time.GetUtcNow();
        var dispute = await DisputePage.LoadAsync(db, slug, Now, cancellationToken);
        if (dispute is null)
        {
            return NotFound();
        }

        Dispute = dispute;
        Messages = await approvedMessages.PageAsync(dispute.Id, dispute.Slug, messages, messageSettings.Value.PageSize, cancellationToken);
        if (!Messages.Paging.Exists)
        {
            return NotFound();
        }

        Progress = Progress.Of(await totals.ForDisputeAsync(dispute.Id, cancellationToken), dispute.TargetPence);
        NowOrNext = ActionTimeline.NowOrNext(dispute.Actions, Now);
        CanonicalUrl = site.Absolute(Request, $"/disputes/{dispute.Slug}");
        var raised = Progress.Target is string target ? $"{Progress.Raised} raised of {target}" : $"{Progress.Raised} raised";
        PreviewDescription = $"{raised} · {dispute.Summary}";
        return Page();
    }
}
