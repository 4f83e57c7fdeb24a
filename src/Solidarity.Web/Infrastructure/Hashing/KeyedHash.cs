using System.Security.Cryptography;

namespace Solidarity.Web.Infrastructure.Hashing;

/// <summary>
/// One keyed hash's secret: the setting that holds it, and the key Development and the test suite use in its place.
/// Production refuses to start without the setting (<see cref="Hosting.ProductionSettings.RequireSecret"/>), since the
/// development key is published in the source.
/// </summary>
internal sealed record HashSecret(string Setting, string DevelopmentKey);

/// <summary>
/// An HMAC-SHA256 under a secret from configuration, in lower-case hex: how the site names a person (an email address,
/// a client address, an organisation) in a table or a log without holding anything that a guessed value could be
/// tested against, since the key is never in the database. Each use has its own <see cref="HashSecret"/>, so no two
/// tables can be joined by their hashes.
/// </summary>
internal sealed class KeyedHash(IConfiguration configuration, HashSecret secret)
{
    private readonly byte[] _key =
        Encoding.UTF8.GetBytes(configuration[secret.Setting] is { Length: > 0 } key ? key : secret.DevelopmentKey);

    public string Hex(string value) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(value)));
}
