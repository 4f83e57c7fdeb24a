namespace Solidarity.Web.Pages.Disputes;

/// <summary>
/// A dispute's former web address names (<see cref="FormerSlug"/>) go on working: a request that found nothing at
/// <c>/disputes/{former}</c>, or at any address below it (the donate form, the feeds, the share card), is sent to the same
/// address under the dispute's name now, with its query string (a form's post with its method and body). Only a request that would otherwise be answered 404 asks
/// the database, so the pages served every second cost nothing more.
/// </summary>
internal static class FormerAddresses
{
    public static void UseFormerDisputeAddresses(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        await next(context);
        if (context.Response is { StatusCode: StatusCodes.Status404NotFound, HasStarted: false }
            && context.Request.Path.StartsWithSegments("/disputes", StringComparison.Ordinal, out var rest)
            && Split(rest) is var (slug, below)
            && Slugs.IsWellFormed(slug))
        {
            var db = context.RequestServices.GetRequiredService<SolidarityDbContext>();
            var current = await db.FormerSlugs.AsNoTracking()
                .Where(f => f.Slug == slug)
                .Join(db.Disputes.Where(d => d.IsPublished), f => f.DisputeId, d => d.Id, (_, d) => d.Slug)
                .FirstOrDefaultAsync(context.RequestAborted);
            if (current is not null)
            {
                // Found, not moved for good: an admin may take the name back, and a browser keeps a permanent redirect.
                // A form opened before the rename and sent after it is sent on as it was (307), so nothing typed is lost.
                var path = new PathString($"/disputes/{current}").Add(new PathString(below));
                var reading = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
                context.Response.Redirect(path.ToUriComponent() + context.Request.QueryString, permanent: false, preserveMethod: !reading);
            }
        }
    });

    /// <summary>"/old-name/donate" as ("old-name", "/donate"); null when there is no name.</summary>
    private static (string Slug, string Below)? Split(PathString rest)
    {
        var value = rest.Value;
        if (string.IsNullOrEmpty(value) || value.Length < 2)
        {
            return null;
        }

        var end = value.IndexOf('/', 1);
        return end < 0 ? (value[1..], "") : (value[1..end], value[end..]);
    }
}
