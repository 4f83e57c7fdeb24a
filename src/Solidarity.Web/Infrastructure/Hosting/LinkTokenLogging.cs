namespace Solidarity.Web.Infrastructure.Hosting;

/// <summary>
/// Keeps the secret in an emailed link out of the logs. A receipt link (<c>/receipts/{token}</c>), a statement of a
/// year's giving (<c>/receipts/statement/{token}</c>) or an invitation (<c>/account/invitation/{token}</c>) opens a
/// donor's documents or an account to whoever holds it, and a log line is
/// read by more people, and kept longer, than the email it came in. So is a monthly giver's link to manage their gift
/// (<c>/monthly/manage/{token}</c>) and a password reset's (<c>/account/reset-password?…&amp;token=…</c>). ASP.NET Core
/// writes the request path (and query) in these categories; they are held at Warning whatever the configuration asks:
/// the rule added here is the later of two rules for the same category, and once the configuration is read the same
/// rule is added for each logging provider it names, since a rule naming a provider ("Logging:Console:LogLevel")
/// outranks every rule that names none.
/// </summary>
internal static class LinkTokenLogging
{
    /// <summary>The categories that log a request's path or query below Warning.</summary>
    public static readonly string[] PathLoggingCategories =
    [
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.HttpLogging",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.StaticFiles",
        "Microsoft.AspNetCore.Rewrite",
        "Microsoft.AspNetCore.Mvc.RazorPages",
        "Microsoft.AspNetCore.Http.Result",
    ];

    /// <summary>
    /// Where a path (or its query) carries a link's secret. Pages under these send only the site's origin as their Referer,
    /// so the browser's requests for their stylesheet and scripts do not repeat the secret into a proxy's access log.
    /// </summary>
    public static readonly string[] TokenPathPrefixes = ["/receipts/", "/monthly/manage/", "/account/invitation/", "/account/reset-password"];

    public static bool CarriesToken(PathString path) =>
        TokenPathPrefixes.Any(prefix => path.StartsWithSegments(prefix.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));

    public static void KeepLinkTokensOutOfLogs(this WebApplicationBuilder builder)
    {
        foreach (var category in PathLoggingCategories)
        {
            builder.Logging.AddFilter(category, LogLevel.Warning);
        }

        builder.Services.PostConfigure<LoggerFilterOptions>(options =>
        {
            var providers = options.Rules.Select(rule => rule.ProviderName).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            foreach (var provider in providers)
            {
                foreach (var category in PathLoggingCategories)
                {
                    options.Rules.Add(new LoggerFilterRule(provider, category, LogLevel.Warning, filter: null));
                }
            }

            // A longer category outranks a shorter one ("Microsoft.AspNetCore.Routing.Matching" turned up logs the paths
            // it matches): each such rule below Warning is held there too, for its own provider.
            var narrower = options.Rules
                .Where(rule => rule.CategoryName is { } name && rule.LogLevel < LogLevel.Warning
                    && PathLoggingCategories.Any(category => name.Length > category.Length && name.StartsWith(category + ".", StringComparison.Ordinal)))
                .Select(rule => (rule.ProviderName, rule.CategoryName))
                .Distinct()
                .ToList();
            foreach (var (provider, category) in narrower)
            {
                options.Rules.Add(new LoggerFilterRule(provider, category, LogLevel.Warning, filter: null));
            }
        });
    }
}
