using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Primitives;

namespace Solidarity.Web.Infrastructure.Hosting;

/// <summary>
/// The output cache for the public pages an anonymous visitor reads: the home page, past disputes, a dispute's page,
/// its open books (page and CSV) and supporters, and the feeds. A dispute that goes viral brings tens of thousands of visitors an hour to one page; each web process
/// renders it (four SQL commands) at most once per <see cref="Lifetime"/> and serves the copy in between, and
/// visitors arriving together while it renders wait for that one render rather than each starting their own.
/// </summary>
/// <remarks>
/// <para>
/// Why 5 seconds: every web process keeps its own copy, and an admin's change is evicted only in the process that
/// made it (<see cref="PublicPageCache"/>), as is money arriving by webhook at whichever process Stripe reaches. So
/// the lifetime is the guarantee that no process shows a page more than 5 seconds older than the database, while a
/// page read a hundred times a second is rendered at most once per payment that process receives, never once a read.
/// </para>
/// <para>
/// Never cached: anything for a signed-in user (the auth cookie or an Authorization header is enough to bypass the
/// cache, cached copies are never served to them either), responses that set a cookie or say no-store or private
/// (rendering an antiforgery token says no-store, and sets a cookie for a new visitor, so a form added to a cached
/// page turns its caching off rather than sharing one visitor's token), anything but a 200 to GET or HEAD, and every
/// page that does not opt in with
/// <c>[OutputCache(PolicyName = PublicPageCaching.PolicyName)]</c> or <c>CacheOutput(PublicPageCaching.PolicyName)</c>:
/// the thank-you page, the donate and message forms, the admin and branch areas.
/// </para>
/// </remarks>
internal static class PublicPageCaching
{
    public const string PolicyName = "PublicPage";

    /// <summary>How long any web process may serve a copy: see the remarks on why 5 seconds.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    /// <summary>Every cached public page.</summary>
    public const string AllTag = "public";

    /// <summary>Pages listing several disputes (home, past disputes, the feed of every dispute's news).</summary>
    public const string ListsTag = "dispute-lists";

    public static string DisputeTag(Guid disputeId) => $"dispute:{disputeId}";

    public static void AddPublicPageCaching(this IServiceCollection services)
    {
        services.AddOutputCache(options =>
        {
            options.AddPolicy(PolicyName, new PublicPagePolicy());

            // Slugs are lower case and any other spelling is not found: a cached page must not answer for it.
            options.UseCaseSensitivePaths = true;
        });
        services.AddSingleton<PublicPageCache>();
    }

    /// <summary>After authentication, so that a signed-in user is known and never served or given a cached copy.</summary>
    public static void UsePublicPageCaching(this IApplicationBuilder app) => app.UseOutputCache();

    /// <summary>Marks the page being rendered as showing <paramref name="disputeId"/>, so changing that dispute evicts it.</summary>
    public static void TagDispute(this HttpContext context, Guid disputeId) =>
        context.Features.Get<IOutputCacheFeature>()?.Context.Tags.Add(DisputeTag(disputeId));

    /// <summary>Marks the page being rendered as a list of disputes, evicted whenever any dispute changes.</summary>
    public static void TagDisputeLists(this HttpContext context) =>
        context.Features.Get<IOutputCacheFeature>()?.Context.Tags.Add(ListsTag);

    private sealed class PublicPagePolicy : IOutputCachePolicy
    {
        public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellationToken)
        {
            var cacheable = IsAnonymousRead(context.HttpContext);
            context.EnableOutputCaching = true;
            context.AllowCacheLookup = cacheable;
            context.AllowCacheStorage = cacheable;
            context.AllowLocking = true;
            context.ResponseExpirationTimeSpan = Lifetime;

            // Only the keys the page reads make another copy, each by its value written one way ("page=01" is
            // "page=1"): any other key, or another spelling of a value, would only make another copy of the same page,
            // and made-up query strings could fill the cache and bypass it.
            foreach (var key in context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<CachedQueryAttribute>()?.Keys ?? [])
            {
                context.CacheVaryByRules.VaryByValues[key] = Canonical(context.HttpContext.Request.Query[key].ToString());
            }

            // With Site:BaseUrl set (always in Production) no page depends on the Host header, so one copy serves every
            // Host a request may come with: made-up ones could otherwise bypass the cache, and fill it, as query strings could.
            context.CacheVaryByRules.VaryByHost = !context.HttpContext.RequestServices.GetRequiredService<SiteAddress>().IsConfigured;
            context.Tags.Add(AllTag);
            return ValueTask.CompletedTask;
        }

        public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellationToken)
        {
            var response = context.HttpContext.Response;
            if (response.StatusCode != StatusCodes.Status200OK
                || !StringValues.IsNullOrEmpty(response.Headers.SetCookie)
                || Says(response.Headers.CacheControl, "no-store")
                || Says(response.Headers.CacheControl, "private")
                || context.HttpContext.User.Identity?.IsAuthenticated == true)
            {
                context.AllowCacheStorage = false;
            }

            return ValueTask.CompletedTask;
        }

        private static bool IsAnonymousRead(HttpContext context)
        {
            var request = context.Request;
            return (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
                && StringValues.IsNullOrEmpty(request.Headers.Authorization)
                && !request.Cookies.ContainsKey(AccountsHosting.AuthCookieName)
                && !request.Cookies.ContainsKey(SiteCookies.HostPrefix + AccountsHosting.AuthCookieName)
                && context.User.Identity?.IsAuthenticated != true;
        }

        /// <summary>A page number or a cursor ("1747652400123456_0190a0…") as the pages write it: no leading zeros, lower case.</summary>
        private static string Canonical(string value) =>
            string.Join('_', value.Split('_').Select(part => part.Length > 0 && part.All(char.IsAsciiDigit)
                ? part.TrimStart('0') is { Length: > 0 } digits ? digits : "0"
                : part.ToLowerInvariant()));

        private static bool Says(StringValues cacheControl, string directive) =>
            cacheControl.Any(value => value?.Contains(directive, StringComparison.OrdinalIgnoreCase) == true);
    }
}

/// <summary>
/// Evicts cached public pages in this process, the moment an admin's change is saved, so the admin (and every visitor
/// this process serves) sees it at once; other processes' copies expire within <see cref="PublicPageCaching.Lifetime"/>.
/// </summary>
internal sealed class PublicPageCache(IOutputCacheStore store)
{
    /// <summary>After a dispute's details, updates or messages changed: its own pages and the lists that show it.</summary>
    public async Task EvictDisputesAsync(IEnumerable<Guid> disputeIds, CancellationToken cancellationToken)
    {
        foreach (var id in disputeIds.Distinct())
        {
            await store.EvictByTagAsync(PublicPageCaching.DisputeTag(id), cancellationToken);
        }

        await store.EvictByTagAsync(PublicPageCaching.ListsTag, cancellationToken);
    }

    public Task EvictDisputeAsync(Guid disputeId, CancellationToken cancellationToken) =>
        EvictDisputesAsync([disputeId], cancellationToken);

    /// <summary>After a change that shows on many disputes' pages: a branch's details, a donor's erasure.</summary>
    public async Task EvictAllAsync(CancellationToken cancellationToken) =>
        await store.EvictByTagAsync(PublicPageCaching.AllTag, cancellationToken);
}

/// <summary>
/// The query-string keys a cached public page reads (its page number, where its older items start): each value gives
/// another copy of the page. The cache ignores every other key, and every key on a page without this attribute.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class CachedQueryAttribute(params string[] keys) : Attribute
{
    public IReadOnlyList<string> Keys { get; } = keys;
}
