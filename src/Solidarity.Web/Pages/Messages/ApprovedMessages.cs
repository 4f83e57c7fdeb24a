using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Data;
using Solidarity.Core.Messages;
using Solidarity.Web.Pages.Disputes;

namespace Solidarity.Web.Pages.Messages;

/// <summary>An approved message as the public sees it: only what the author chose to show.</summary>
public sealed record PublicMessage(Guid Id, string? AuthorName, string? OrganisationName, string? Town, string Body, DateTimeOffset CreatedAt)
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
public sealed record MessageList(string Slug, IReadOnlyList<PublicMessage> Messages, Paging Paging)
{
    public string PageLink(int number) => number == 1 ? $"/disputes/{Slug}#messages" : $"/disputes/{Slug}?messages={number}#messages";
}

internal sealed class ApprovedMessagesQuery(SolidarityDbContext db)
{
    public async Task<MessageList> PageAsync(Guid disputeId, string slug, int page, int pageSize, CancellationToken cancellationToken)
    {
        var approved = db.SupportMessages.AsNoTracking()
            .Where(m => m.DisputeId == disputeId && m.Status == ModerationStatus.Approved);
        var paging = new Paging(page, pageSize, await approved.CountAsync(cancellationToken));
        var messages = await approved
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Skip(paging.Skip).Take(pageSize)
            .Select(m => new PublicMessage(m.Id, m.AuthorName, m.OrganisationName, m.Town, m.Body, m.CreatedAt))
            .ToListAsync(cancellationToken);
        return new MessageList(slug, messages, paging);
    }
}
