using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace Solidarity.Web.Infrastructure.Tokens;

/// <summary>
/// Secrets carried in links (receipt downloads, invitations): 32 random bytes, URL-safe base64 in the link; only their
/// SHA-256 is stored, so the database alone cannot be turned into working links.
/// </summary>
internal static class LinkTokens
{
    private const int TokenBytes = 32;
    private const int TokenLength = 43;

    public static (string Token, byte[] Hash) Create()
    {
        var bytes = RandomNumberGenerator.GetBytes(TokenBytes);
        return (WebEncoders.Base64UrlEncode(bytes), SHA256.HashData(bytes));
    }

    /// <summary>False for anything that is not the shape of a token, so it is not looked up at all.</summary>
    public static bool TryHash(string? token, out byte[] hash)
    {
        hash = [];
        if (token is null || token.Length != TokenLength || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return false;
        }

        var bytes = new byte[TokenBytes];
        try
        {
            if (WebEncoders.Base64UrlDecode(token).AsSpan().TryCopyTo(bytes) is false)
            {
                return false;
            }
        }
        catch (FormatException)
        {
            return false;
        }

        hash = SHA256.HashData(bytes);
        return true;
    }
}
