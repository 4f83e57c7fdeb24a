using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Solidarity.Web.Pages.Admin.Donors;

/// <summary>
/// How an admin names a donor: by their full email address, matched exactly but for case. No partial
/// address or wildcard finds anyone, so the donor pages cannot be used to browse who gave.
/// </summary>
internal static partial class DonorEmail
{
    public const int MaxLength = 320;

    public static bool IsFullAddress(string? email) => email is not null && FullAddress().IsMatch(email.Trim());

    public static string Normalise(string email) => email.Trim().ToLowerInvariant();

    /// <summary>
    /// SHA-256 of the lower-cased address, in hex: what the audit log recorded for a donor before it used
    /// <see cref="DonorAuditKey"/>. Anyone can test a guessed address against it, so nothing new is recorded this way;
    /// it is only matched, to find erasures recorded before.
    /// </summary>
    public static string LegacySha256(string email) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalise(email))));

    [GeneratedRegex(@"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex FullAddress();
}
