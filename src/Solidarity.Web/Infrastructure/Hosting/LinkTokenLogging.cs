namespace Solidarity.Web.Infrastructure.Hosting;

/// <summary>
/// Keeps the secret in an emailed link out of the logs. A receipt link (<c>/receipts/{token}</c>), a statement of a
/// year's giving (<c>/receipts/statement/{token}</c>) or an invitation (<c>/account/invitation/{token}</c>) opens a
/// donor's documents or an account to whoever holds it, and a log line is
/// read by more people, and kept longer, than the email it came in. ASP.NET Core writes the request path (and query) in
/// these categories; they are held at Warning whatever the configuration asks, since the rule added here, being the
/// later of two rules for the same category, is the one that applies.
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

    public static void KeepLinkTokensOutOfLogs(this WebApplicationBuilder builder)
    {
        foreach (var category in PathLoggingCategories)
        {
            builder.Logging.AddFilter(category, LogLevel.Warning);
        }
    }
}
