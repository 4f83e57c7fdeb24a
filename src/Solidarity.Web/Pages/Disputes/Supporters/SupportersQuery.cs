namespace Solidarity.Web.Pages.Disputes.Supporters;

/// <summary>
/// A named gift as the public sees it: the name the donor chose to show and the organisation that gave, if any, and
/// the amount only when the donor ticked the separate box asking for it.
/// </summary>
internal sealed record NamedGift(Guid Id, string? PublicName, string? OrganisationName, long? AmountPence, DateTimeOffset GivenAt)
{
    public string Name => (PublicName, OrganisationName) switch
    {
        (string person, string organisation) => $"{person}, {organisation}",
        (string person, null) => person,
        (null, string organisation) => organisation,
        _ => "",
    };
}

/// <summary>One page of a dispute's named supporters, newest first, and how many gifts came from people not named.</summary>
internal sealed record SupporterList(Guid DisputeId, string Slug, string Title, KeysetPage<NamedGift> Page, int UnnamedGifts) : IDisputeView
{
    public const string QueryKey = "older";

    public string NewestLink => $"/disputes/{Slug}/supporters";

    public string OlderLink(PageCursor cursor) => $"/disputes/{Slug}/supporters?{QueryKey}={cursor}";
}

/// <summary>
/// The supporters page's reads, three commands at any size: the dispute, a page of named gifts (an index seek on a
/// partial index of exactly those gifts), and the count of the others. A gift is listed or counted only while it counts
/// its donor as a supporter (money came in and was not all refunded or lost to a chargeback, as the ledger keeps it);
/// an erased donor's gift is never listed, only counted among the unnamed.
/// </summary>
internal sealed class SupportersQuery(SolidarityDbContext db)
{
    public const int PageSize = 50;

    public async Task<SupporterList?> PageAsync(string slug, PageCursor? after, CancellationToken cancellationToken)
    {
        var dispute = await PublishedDisputes.HeadingAsync(db, slug, cancellationToken);
        if (dispute is null)
        {
            return null;
        }

        var named = db.Donations.AsNoTracking()
            .Where(d => d.DisputeId == dispute.Id && d.CountsAsSupporter && d.ErasedAt == null
                && (d.PublicName != null || d.OrganisationName != null) && d.PaidAt != null);
        if (after is PageCursor cursor)
        {
            named = named.Where(d => EF.Functions.LessThan(ValueTuple.Create(d.PaidAt!.Value, d.Id), ValueTuple.Create(cursor.At, cursor.Id)));
        }

        var rows = await named
            .OrderByDescending(d => d.PaidAt).ThenByDescending(d => d.Id)
            .Take(PageSize + 1)
            .Select(d => new NamedGift(d.Id, d.PublicName, d.OrganisationName, d.ShowAmountPublicly ? d.AmountPence : null, d.PaidAt!.Value))
            .ToListAsync(cancellationToken);
        var unnamed = await db.Donations
            .CountAsync(
                d => d.DisputeId == dispute.Id && d.CountsAsSupporter
                    && (d.ErasedAt != null || (d.PublicName == null && d.OrganisationName == null)),
                cancellationToken);
        return new SupporterList(
            dispute.Id, dispute.Slug, dispute.Title, KeysetPage.From(rows, PageSize, g => new PageCursor(g.GivenAt, g.Id), isNewest: after is null), unnamed);
    }
}
