using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Data;
using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Disputes;

public sealed record DisputeCard(
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
public sealed class DisputeCardsQuery(SolidarityDbContext db, DisputeTotalsQuery totals, TimeProvider time)
{
    public async Task<(IReadOnlyList<DisputeCard> Cards, Paging Paging)> PageAsync(
        IReadOnlyCollection<DisputeStatus> statuses, int pageNumber, int pageSize, CancellationToken cancellationToken)
    {
        var published = db.Disputes.AsNoTracking().Where(d => d.IsPublished && statuses.Contains(d.Status));
        var paging = new Paging(pageNumber, pageSize, await published.CountAsync(cancellationToken));
        if (!paging.Exists)
        {
            return ([], paging);
        }

        // Disputes taking action first: they are the ones that need money this week.
        var rows = await published
            .OrderBy(d => d.Status == DisputeStatus.TakingAction ? 0 : d.Status == DisputeStatus.Balloting ? 1 : 2)
            .ThenByDescending(d => d.UpdatedAt)
            .ThenBy(d => d.Title)
            .Skip(paging.Skip)
            .Take(paging.Size)
            .Select(d => new
            {
                d.Id, d.Slug, d.Title, d.Employer, Union = d.Union.Name, d.Summary, d.Status, d.WorkersInvolved, d.TargetPence,
                Actions = d.Actions.Select(a => new ActionView(a.Kind, a.Title, a.Details, a.StartsAt, a.EndsAt)).ToList(),
            })
            .AsSplitQuery()
            .ToListAsync(cancellationToken);

        var sums = await totals.ForDisputesAsync(rows.Select(r => r.Id).ToList(), cancellationToken);
        var now = time.GetUtcNow();
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

        (Disputes, Paging) = await new DisputeCardsQuery(db, totals, time).PageAsync(statuses, page, PageSize, cancellationToken);
        return Paging.Exists ? Page() : NotFound();
    }
}
