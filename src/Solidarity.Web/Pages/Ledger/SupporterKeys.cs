using System.Security.Cryptography;
using Solidarity.Web.Infrastructure.Hashing;

namespace Solidarity.Web.Pages.Ledger;

/// <summary>
/// Turns who gave into the key supporters are counted by (<see cref="Core.Donations.Donation.DonorKey"/>): an HMAC of
/// the lower-cased email, or of an organisation's normalised name (an organisation counts as its own donor, whoever
/// sends its money). A gift with neither has no key and counts once by itself.
/// </summary>
internal sealed class SupporterKeys(IConfiguration configuration)
{
    /// <summary>
    /// The secret behind donor keys, used for nothing else: with it, the same email always gives the same key, so a
    /// person who gives twice counts once; without it, a key cannot be tested against a guessed address.
    /// </summary>
    public static readonly HashSecret Secret = new("Supporters:CountingKey", "development-only-supporter-counting-key");

    private readonly KeyedHash _hash = new(configuration, Secret);

    public string? For(string? email, string? organisationName)
    {
        if (!string.IsNullOrWhiteSpace(organisationName))
        {
            return Hash("organisation", string.Join(' ', organisationName.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant());
        }

        return string.IsNullOrWhiteSpace(email) ? null : Hash("email", email.Trim().ToLowerInvariant());
    }

    public static bool IsOfEmail(string key) => key.StartsWith("email:", StringComparison.Ordinal);

    /// <summary>A key no one can link to the person: what an erased donor's gifts are counted by from then on.</summary>
    public static string Random() => "erased:" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>What a gift is counted by when its donor has no key: the gift itself.</summary>
    public static string OfGift(Guid donationId) => $"gift:{donationId:N}";

    private string Hash(string kind, string value) => kind + ":" + _hash.Hex(value);
}
