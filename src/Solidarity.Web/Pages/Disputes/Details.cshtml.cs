using Microsoft.AspNetCore.OutputCaching;
using Solidarity.Web.Pages.Messages;

namespace Solidarity.Web.Pages.Disputes;

/// <summary>
/// A dispute's public page: four commands when rendered (the dispute with its lists, a page of news, a page of
/// messages, the totals), and output-cached for anonymous visitors (see <see cref="PublicPageCaching"/>). It holds no
/// form, so no antiforgery token to tie it to one visitor: the message form has its own page, linked from here.
/// </summary>
[OutputCache(PolicyName = PublicPageCaching.PolicyName)]
[CachedQuery(NewsList.QueryKey, MessageList.QueryKey)]
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
    public NewsList News { get; private set; } = default!;
    public MessageList Messages { get; private set; } = default!;

    public string CanonicalUrl { get; private set; } = "";

    /// <summary>The share card's absolute address (from Site:BaseUrl), as link previews require.</summary>
    public string ShareCardUrl { get; private set; } = "";

    /// <summary>"£1,234 raised of £20,000 · " and the summary: what a shared link shows under the title.</summary>
    public string PreviewDescription { get; private set; } = "";

    /// <param name="updates">Where the page of older news starts, as an "Older news" link gives it.</param>
    /// <param name="messages">Where the page of older messages starts, as an "Older messages" link gives it.</param>
    public async Task<IActionResult> OnGetAsync(
        string slug,
        [FromQuery(Name = NewsList.QueryKey)] string? updates = null,
        [FromQuery(Name = MessageList.QueryKey)] string? messages = null,
        CancellationToken cancellationToken = default)
    {
        if (!TryCursor(updates, out var olderNews) || !TryCursor(messages, out var olderMessages))
        {
            return BadRequest();
        }

        Now = time.GetUtcNow();
        var dispute = await DisputePage.LoadAsync(db, slug, cancellationToken);
        if (dispute is null)
        {
            return NotFound();
        }

        HttpContext.TagDispute(dispute.Id);
        Dispute = dispute;
        News = await DisputeNews.PageAsync(db, dispute.Id, dispute.Slug, Now, olderNews, cancellationToken);
        Messages = await approvedMessages.PageAsync(dispute.Id, dispute.Slug, olderMessages, messageSettings.Value.PageSize, cancellationToken);
        Progress = Progress.Of(await totals.ForDisputeAsync(dispute.Id, cancellationToken), dispute.TargetPence);
        NowOrNext = ActionTimeline.NowOrNext(dispute.Actions, Now);
        CanonicalUrl = site.Absolute(Request, $"/disputes/{dispute.Slug}");
        ShareCardUrl = site.Absolute(Request, ChartEndpoints.ShareCardPath(dispute.Slug));
        var raised = Progress.Target is string target ? $"{Progress.Raised} raised of {target}" : $"{Progress.Raised} raised";
        PreviewDescription = $"{raised} · {dispute.Summary}";
        return Page();
    }

    /// <summary>No value is the newest page; a value that is not a cursor is a bad request, as any malformed query is.</summary>
    private static bool TryCursor(string? value, out PageCursor? cursor)
    {
        cursor = null;
        if (value is null)
        {
            return true;
        }

        if (!PageCursor.TryParse(value, out var parsed))
        {
            return false;
        }

        cursor = parsed;
        return true;
    }
}
