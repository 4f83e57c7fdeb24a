using Solidarity.Core.Disputes;
using Solidarity.Web.Infrastructure.Html;
using Solidarity.Web.Pages.Disputes;

namespace Solidarity.Web.Pages.Feeds;

/// <summary>The Atom feeds of published updates and the iCalendar file of a dispute's action days.</summary>
internal static class FeedEndpoints
{
    /// <summary>The newest entries a feed carries; readers keep the older ones they have already seen.</summary>
    public const int MaxEntries = 50;

    /// <summary>
    /// How long a reader or a shared cache may keep a feed: no longer than a web process keeps its copy, so that a dispute
    /// unpublished or an update corrected is gone from every feed within seconds, as from the pages.
    /// </summary>
    public static readonly TimeSpan CacheFor = PublicPageCaching.Lifetime;

    public static void MapFeeds(this WebApplication app)
    {
        app.MapGet("/updates.atom", AllUpdatesAsync).CacheOutput(PublicPageCaching.PolicyName).ForAudience(Audience.Public);
        app.MapGet("/disputes/{slug}/updates.atom", DisputeUpdatesAsync).CacheOutput(PublicPageCaching.PolicyName).ForAudience(Audience.Public);
        app.MapGet("/disputes/{slug}/actions.ics", ActionDaysAsync).CacheOutput(PublicPageCaching.PolicyName).ForAudience(Audience.Public);
    }

    private static async Task<IResult> AllUpdatesAsync(
        HttpContext http, SolidarityDbContext db, SafeMarkdown markdown, SiteAddress site, TimeProvider time, CancellationToken cancellationToken)
    {
        http.TagDisputeLists();
        var now = time.GetUtcNow();
        var entries = await PublishedUpdatesAsync(db, now, null, cancellationToken);
        var feed = new AtomFeed(
            Id: $"tag:{site.Authority(http.Request)},2026:updates",
            Title: "Solidarity: news from every dispute",
            SelfUrl: site.Absolute(http.Request, "/updates.atom"),
            PageUrl: site.Absolute(http.Request, "/"),
            Updated: entries.Count == 0 ? null : entries.Max(e => e.Updated),
            Entries: entries.Select(e => Entry(e, markdown, site, http.Request, withDisputeTitle: true)).ToList());
        return Answer(http, AtomFeed.ContentType, feed.Write(now));
    }

    private static async Task<IResult> DisputeUpdatesAsync(
        string slug, HttpContext http, SolidarityDbContext db, SafeMarkdown markdown, SiteAddress site, TimeProvider time, CancellationToken cancellationToken)
    {
        var dispute = await FindAsync(db, slug, cancellationToken);
        if (dispute is null)
        {
            return Results.NotFound();
        }

        http.TagDispute(dispute.Id);
        var now = time.GetUtcNow();
        var entries = await PublishedUpdatesAsync(db, now, dispute.Id, cancellationToken);
        var feed = new AtomFeed(
            Id: $"urn:uuid:{dispute.Id}",
            Title: $"{dispute.Title}: news",
            SelfUrl: site.Absolute(http.Request, $"/disputes/{dispute.Slug}/updates.atom"),
            PageUrl: site.Absolute(http.Request, $"/disputes/{dispute.Slug}"),
            Updated: entries.Count == 0 ? dispute.UpdatedAt : entries.Max(e => e.Updated),
            Entries: entries.Select(e => Entry(e, markdown, site, http.Request, withDisputeTitle: false)).ToList());
        return Answer(http, AtomFeed.ContentType, feed.Write(now));
    }

    private static async Task<IResult> ActionDaysAsync(
        string slug, HttpContext http, SolidarityDbContext db, SiteAddress site, TimeProvider time, CancellationToken cancellationToken)
    {
        var dispute = await FindAsync(db, slug, cancellationToken);
        if (dispute is null)
        {
            return Results.NotFound();
        }

        http.TagDispute(dispute.Id);
        var actions = await db.DisputeActions.AsNoTracking()
            .Where(a => a.DisputeId == dispute.Id)
            .OrderBy(a => a.StartsAt).ThenBy(a => a.Id)
            .Select(a => new CalendarEvent(a.Id, a.Kind, a.Title, a.Details, a.StartsAt, a.EndsAt))
            .ToListAsync(cancellationToken);
        var calendar = new ActionCalendar(
            Name: $"{dispute.Title}: action days",
            PageUrl: site.Absolute(http.Request, $"/disputes/{dispute.Slug}"),
            Authority: site.Authority(http.Request),
            Events: actions);
        http.Response.Headers.ContentDisposition = $"inline; filename=\"{dispute.Slug}-actions.ics\"";
        return Answer(http, ActionCalendar.ContentType, calendar.Write(time.GetUtcNow()));
    }

    private sealed record FeedDispute(Guid Id, string Slug, string Title, DateTimeOffset UpdatedAt);

    private static Task<FeedDispute?> FindAsync(SolidarityDbContext db, string slug, CancellationToken cancellationToken) =>
        Slugs.IsWellFormed(slug)
            ? db.Disputes.AsNoTracking()
                .Where(d => d.Slug == slug && d.IsPublished)
                .Select(d => new FeedDispute(d.Id, d.Slug, d.Title, d.UpdatedAt))
                .SingleOrDefaultAsync(cancellationToken)
            : Task.FromResult<FeedDispute?>(null);

    internal sealed record PublishedUpdate(
        Guid Id, Guid DisputeId, string DisputeSlug, string DisputeTitle, string Title, string Body, string AuthorName,
        DateTimeOffset Published, DateTimeOffset? EditedAt)
    {
        /// <summary>Atom's updated is never before published: an edit made while a draft does not count.</summary>
        public DateTimeOffset Updated => EditedAt is { } edited && edited > Published ? edited : Published;
    }

    /// <summary>The newest published updates of published disputes (of one dispute when given), newest first.</summary>
    private static async Task<List<PublishedUpdate>> PublishedUpdatesAsync(SolidarityDbContext db, DateTimeOffset now, Guid? disputeId, CancellationToken cancellationToken)
    {
        var newest = await db.DisputeUpdates.AsNoTracking()
            .Where(u => u.Status == UpdateStatus.Published && u.PublishedAt <= now && (disputeId == null || u.DisputeId == disputeId))
            .Where(u => db.Disputes.Any(d => d.Id == u.DisputeId && d.IsPublished))
            .OrderByDescending(u => u.PublishedAt).ThenByDescending(u => u.Id)
            .Take(MaxEntries)
            .Join(db.Disputes, u => u.DisputeId, d => d.Id, (u, d) => new PublishedUpdate(
                u.Id, d.Id, d.Slug, d.Title, u.Title, u.Body, u.AuthorName, u.PublishedAt!.Value, u.EditedAt))
            .ToListAsync(cancellationToken);

        // The join does not keep the order the database gave; the entries are put back in it here.
        return [.. newest.OrderByDescending(u => u.Published).ThenByDescending(u => u.Id)];
    }

    private static AtomEntry Entry(PublishedUpdate update, SafeMarkdown markdown, SiteAddress site, HttpRequest request, bool withDisputeTitle) => new(
        Id: $"urn:uuid:{update.Id}",
        Title: withDisputeTitle ? $"{update.DisputeTitle}: {update.Title}" : update.Title,
        Url: site.Absolute(request, $"/disputes/{update.DisputeSlug}#update-{update.Id:N}"),
        Published: update.Published,
        Updated: update.Updated,
        AuthorName: update.AuthorName,
        Html: markdown.ToHtml(update.Body));

    private static IResult Answer(HttpContext http, string contentType, string body)
    {
        http.Response.Headers.CacheControl = $"public, max-age={(int)CacheFor.TotalSeconds}";
        return Results.Text(body, contentType, Encoding.UTF8);
    }
}
