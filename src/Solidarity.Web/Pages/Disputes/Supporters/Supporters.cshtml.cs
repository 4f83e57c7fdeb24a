using Microsoft.AspNetCore.OutputCaching;

namespace Solidarity.Web.Pages.Disputes.Supporters;

/// <summary>
/// Who gave and chose to be named, newest first, a page at a time; everyone else only counted. Output-cached, and
/// evicted with the dispute's page whenever its money moves.
/// </summary>
[OutputCache(PolicyName = PublicPageCaching.PolicyName)]
[CachedQuery(SupporterList.QueryKey)]
internal sealed class SupportersModel(SupportersQuery query) : PageModel
{
    public SupporterList Supporters { get; private set; } = default!;

    /// <param name="older">Where the page of older gifts starts, as an "Older" link gives it.</param>
    public async Task<IActionResult> OnGetAsync(string slug, [FromQuery(Name = SupporterList.QueryKey)] string? older = null, CancellationToken cancellationToken = default)
    {
        PageCursor? after = null;
        if (older is not null)
        {
            if (!PageCursor.TryParse(older, out var cursor))
            {
                return BadRequest();
            }

            after = cursor;
        }

        return await this.ShowDisputeViewAsync(query.PageAsync(slug, after, cancellationToken), supporters => Supporters = supporters);
    }
}
