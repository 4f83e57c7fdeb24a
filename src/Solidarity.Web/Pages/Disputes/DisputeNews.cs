using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Disputes;

/// <summary>A published update; <see cref="Body"/> is Markdown, shown through SafeMarkdown only.</summary>
internal sealed record UpdateView(Guid Id, string Title, string Body, DateTimeOffset PublishedAt, string AuthorName, DisputeStatus? AnnouncesStatus);

/// <summary>One page of a dispute's news on its page, with the address its pages live at.</summary>
internal sealed record NewsList(string Slug, KeysetPage<UpdateView> Page)
{
    public const string QueryKey = "updates";

    public string NewestLink => $"/disputes/{Slug}#updates";

    public string OlderLink(PageCursor cursor) => $"/disputes/{Slug}?{QueryKey}={cursor}#updates";
}

/// <summary>A dispute's published updates, newest first, a page at a time: one command, however deep the page.</summary>
internal static class DisputeNews
{
    public const int PageSize = 10;

    public static async Task<NewsList> PageAsync(
        SolidarityDbContext db, Guid disputeId, string slug, DateTimeOffset now, PageCursor? after, CancellationToken cancellationToken)
    {
        var published = db.DisputeUpdates.AsNoTracking()
            .Where(u => u.DisputeId == disputeId && u.Status == UpdateStatus.Published && u.PublishedAt <= now);
        if (after is PageCursor cursor)
        {
            DateTimeOffset? at = cursor.At;
            published = published.Where(u => EF.Functions.LessThan(ValueTuple.Create(u.PublishedAt, u.Id), ValueTuple.Create(at, cursor.Id)));
        }

        var rows = await published
            .OrderByDescending(u => u.PublishedAt).ThenByDescending(u => u.Id)
            .Take(PageSize + 1)
            .Select(u => new UpdateView(u.Id, u.Title, u.Body, u.PublishedAt!.Value, u.AuthorName, u.AnnouncesStatus))
            .ToListAsync(cancellationToken);
        return new NewsList(slug, KeysetPage.From(rows, PageSize, u => new PageCursor(u.PublishedAt, u.Id), isNewest: after is null));
    }
}
