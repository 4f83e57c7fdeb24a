using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Solidarity.Web.Pages.Account;

/// <summary>
/// Authenticator-app codes (TOTP, RFC 6238: HMAC-SHA1, 30-second steps, six digits), each accepted once. Identity's own
/// provider accepts the same code for as long as it is current, so a code read over a shoulder or replayed from a
/// phishing page would still work; this one records the time step of the last code accepted and refuses that step
/// and any before it. The record is saved with the account's concurrency stamp, so two sign-ins racing with one code
/// cannot both win.
/// </summary>
internal sealed class OnceOnlyAuthenticatorTokenProvider : IUserTwoFactorTokenProvider<ApplicationUser>
{
    public const string Name = "OnceOnlyAuthenticator";

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    /// <summary>A phone clock a step fast or slow, or a code typed as it changed, still signs in.</summary>
    private const int StepsEitherSide = 1;

    public Task<string> GenerateAsync(string purpose, UserManager<ApplicationUser> manager, ApplicationUser user) => Task.FromResult("");

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<ApplicationUser> manager, ApplicationUser user) =>
        !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrWhiteSpace(key) || token.Length != 6 || !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return false;
        }

        var secret = Base32Decode(key);
        // The phone's clock is the real one, whatever clock the site's pages are given (a test may set those to 2017).
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / (long)Step.TotalSeconds;
        for (var step = now - StepsEitherSide; step <= now + StepsEitherSide; step++)
        {
            if (step <= (user.LastAuthenticatorTimeStep ?? long.MinValue) || Code(secret, step) != code)
            {
                continue;
            }

            user.LastAuthenticatorTimeStep = step;
            return (await manager.UpdateAsync(user)).Succeeded;
        }

        return false;
    }

    /// <summary>The six-digit code of one time step (RFC 4226's dynamic truncation of an HMAC-SHA1).</summary>
    public static int Code(byte[] secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // RFC 6238 and every authenticator app use HMAC-SHA1; its weakness as a hash does not reach HMAC here.
        HMACSHA1.HashData(secret, counter, hash);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var binary = BinaryPrimitives.ReadInt32BigEndian(hash[offset..]) & 0x7fffffff;
        return binary % 1_000_000;
    }

    /// <summary>RFC 4648 base32, as Identity writes authenticator keys (upper case, no padding); spaces and case are forgiven.</summary>
    public static byte[] Base32Decode(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var clean = text.Replace(" ", "", StringComparison.Ordinal).TrimEnd('=').ToUpperInvariant();
        var bytes = new List<byte>(clean.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in clean)
        {
            var value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                throw new FormatException("The authenticator key is not base32.");
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }

        return [.. bytes];
    }
}
