namespace Solidarity.Web.Infrastructure.Hosting;

internal static class SecurityHeaders
{
    /// <summary>No inline script, nothing from other origins: the site loads no third-party scripts, fonts or trackers.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; form-action 'self' https://checkout.stripe.com; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    /// <summary>
    /// The same for the jobs' dashboard (admins only), but for inline style attributes, which Hangfire's pages draw their
    /// state cards with. Its scripts are files, so script stays as strict as everywhere.
    /// </summary>
    private static readonly string DashboardPolicy = ContentSecurityPolicy.Replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", StringComparison.Ordinal);

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(Jobs.JobsHosting.DashboardPath, StringComparison.OrdinalIgnoreCase)
                ? DashboardPolicy
                : ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";

            // A page opened by a link's secret sends only the site's origin as its Referer, never its path, even to the site
            // itself: its stylesheet's request would otherwise repeat the secret into a proxy's access log. (Not
            // "no-referrer": under it an invitation's passkey step failed in Chromium, a form posted from such a page
            // saying "Origin: null".) The address bar keeps the link's address when an error page is shown for it, so that
            // page does the same.
            var path = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>()?.OriginalPath
                ?? context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerPathFeature>()?.Path
                ?? context.Request.Path;
            headers["Referrer-Policy"] = LinkTokenLogging.CarriesToken(path) ? "strict-origin" : "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            return next(context);
        });
}
