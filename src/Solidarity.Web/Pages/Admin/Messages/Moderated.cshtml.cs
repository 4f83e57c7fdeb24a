using Solidarity.Web.Pages.Disputes;

namespace Solidarity.Web.Pages.Admin.Messages;

/// <summary>Who decided what and when: moderated messages, the latest decision first.</summary>
internal sealed class ModeratedModel(SolidarityDbContext db) : PageModel
{
    public const int PageSize = 50;

    public IReadOnlyList<Decided> Messages { get; private set; } = [];
    public Paging Paging { get; private set; } = new(1, PageSize, 0);

    internal sealed record Decided(
        Guid Id, string DisputeTitle, string? AuthorName, string Body, ModerationStatus Status,
        DateTimeOffset ModeratedAt, string? ModeratedBy, string? RejectionReason);

    public async Task<IActionResult> OnGetAsync([FromQuery] int page = 1, CancellationToken cancellationToken = default)
    {
        if (!ModelState.IsValid || page < 1)
        {
            return BadRequest();
        }

        var decided = db.SupportMessages.AsNoTracking().Where(m => m.Status != ModerationStatus.Pending);
        Paging = new Paging(page, PageSize, await decided.CountAsync(cancellationToken));
        if (!Paging.Exists)
        {
            return NotFound();
        }

        Messages = await decided
            .OrderByDescending(m => m.ModeratedAt).ThenBy(m => m.Id)
            .Skip(Paging.Skip).Take(PageSize)
            .Join(db.Disputes, m => m.DisputeId, d => d.Id, (m, d) => new Decided(
                m.Id, d.Title, m.AuthorName, m.Body, m.Status, m.ModeratedAt!.Value, m.ModeratedByName, m.RejectionReason))
            .ToListAsync(cancellationToken);
        return Page();
    }
}
