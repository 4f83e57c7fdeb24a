using Solidarity.Web.Pages.Disputes;

namespace Solidarity.Web.Pages.Messages;

/// <summary>An approved message as the public sees it: only what the author chose to show.</summary>
internal sealed record PublicMessage(Guid Id, string? AuthorName, string? OrganisationName, string? Town, string Body, DateTimeOffset CreatedAt)
{
    public string Signature => AuthorName ?? "Anonymous";

    public string? FromLine => (OrganisationName, Town) switch
    {
        (null, null) => null,
        (string organisation, null) => organisation,
        (null, string town) => town,
        (string organisation, string town) => $"{organisation}, {town}",
    };
}

/// <summary>One page of a dispute's approved messages, newest first, with the address its pages live at.</summary>
internal sealed record MessageList(string Slug, KeysetPage<PublicMessage> Page)
{
    public const string QueryKey = "messages";

    public string NewestLink => $"/disputes/{Slug}#messages";

    public string OlderLink(PageCursor cursor) => $"/disputes/{Slug}?{QueryKey}={cursor}#messages";
}

/// <summary>A dispute's approved messages a page at a time: one command, as cheap on the thousandth page as on the first.</summary>
internal sealed class ApprovedMessagesQuery(SolidarityDbContext db)
{
    public async Task<MessageList> PageAsync(Guid disputeId, string slug, PageCursor? after, int pageSize, CancellationToken cancellationToken)
    {
        var approved = db.SupportMessages.AsNoTracking()
            .Where(m => m.DisputeId == disputeId && m.Status == ModerationStatus.Approved);
        if (after is PageCursor cursor)
        {
            approved = approved.Where(m => EF.Functions.LessThan(ValueTuple.Create(m.CreatedAt, m.Id), ValueTuple.Create(cursor.At, cursor.Id)));
        }

        var rows = await approved
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Take(pageSize + 1)
            .Select(m => new PublicMessage(m.Id, m.AuthorName, m.OrganisationName, m.Town, m.Body, m.CreatedAt))
            .ToListAsync(cancellationToken);
        return new MessageList(slug, KeysetPage.From(rows, pageSize, m => new PageCursor(m.CreatedAt, m.Id), isNewest: after is null));
    }
}
