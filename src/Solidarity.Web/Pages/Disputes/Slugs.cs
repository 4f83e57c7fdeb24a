using System.Text.RegularExpressions;

namespace Solidarity.Web.Pages.Disputes;

internal static partial class Slugs
{
    /// <summary>Anything else cannot be a dispute's address, so it is answered 404 without asking the database.</summary>
    public static bool IsWellFormed(string? slug) => slug is not null && Pattern().IsMatch(slug);

    [GeneratedRegex("^[a-z0-9-]{1,80}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
