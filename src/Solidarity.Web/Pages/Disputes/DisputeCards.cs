using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Disputes;

internal sealed record DisputeCard(
    Guid Id,
    string Slug,
    string Title,
    string Employer,
    string Union,
    string Summary,
    DisputeStatus Status,
    int? WorkersInvolved,
    string? NowOrNext,
    Progress Progress);

/// <summary>The published disputes in some states, as cards, one page at a time.</summary>
internal sealed class DisputeCardsQuery(SolidarityDbContext db, DisputeTotalsQuery totals, TimeProvider time)
{
    public async Task<(IReadOnlyList<DisputeCard> Cards, Paging Paging)> PageAsync(
        IReadOnlyCollection<DisputeStatus> statuses, int pageNumber, int pageSize, CancellationToken cancellationToken)
    {
        if ((long)(pageNumber - 1) * pageSize > int.MaxValue)
        {
            // So far past the end that its offset would overflow: no such page.
            return ([], new Paging(pageNumber, pageSize, 0));
        }

        var now = time.GetUtcNow();
        var published = db.Disputes.AsNoTracking().Where(d => d.IsPublished && statuses.Contains(d.Status));

        // One command: the page of disputes, each with the actions under way or to come (all a card says about them),
        // and the number of disputes for the pager, counted in the same statement rather than by a query of its own.
        // Disputes taking action first: they are the ones that need money this week.
        var rows = await published
            .OrderBy(d => d.Status == DisputeStatus.TakingAction ? 0 : d.Status == DisputeStatus.Balloting ? 1 : 2)
            .ThenByDescending(d => d.UpdatedAt)
            .ThenBy(d => d.Title)
            .Skip((pageNumber - 1) * pageSize)
            .Take(pageSize)
            .Select(d => new
            {
                d.Id, d.Slug, d.Title, d.Employer, Union = d.Union.Name, d.Summary, d.Status, d.WorkersInvolved, d.TargetPence,
                Actions = d.Actions.Where(a => a.EndsAt > now).Select(a => new ActionView(a.Kind, a.Title, a.Details, a.StartsAt, a.EndsAt)).ToList(),
                Total = published.Count(),
            })
            .ToListAsync(cancellationToken);

        // An empty page past the end has no row to carry the count; it needs none to be not found.
        var paging = new Paging(pageNumber, pageSize, rows.Count == 0 ? 0 : rows[0].Total);
        if (!paging.Exists)
        {
            return ([], paging);
        }

        var sums = await totals.ForDisputesAsync(rows.Select(r => r.Id).ToList(), cancellationToken);
        var cards = rows
            .Select(r => new DisputeCard(
                r.Id, r.Slug, r.Title, r.Employer, r.Union, r.Summary, r.Status, r.WorkersInvolved,
                r.Status.IsActive() ? ActionTimeline.NowOrNext(r.Actions, now) ?? ActionTimeline.Quiet(r.Status) : null,
                Progress.Of(sums[r.Id], r.TargetPence)))
            .ToList();
        return (cards, paging);
    }
}

/// <summary>A paged list of dispute cards (the home page's active disputes, the past ones): `?page=` is 1 or more.</summary>
internal abstract class DisputeCardsPageModel(
    SolidarityDbContext db, DisputeTotalsQuery totals, TimeProvider time, IReadOnlyCollection<DisputeStatus> statuses) : PageModel
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

        HttpContext.TagDisputeLists();
        (Disputes, Paging) = await new DisputeCardsQuery(db, totals, time).PageAsync(statuses, page, PageSize, cancellationToken);
        return Paging.Exists ? Page() : NotFound();
    }
}
