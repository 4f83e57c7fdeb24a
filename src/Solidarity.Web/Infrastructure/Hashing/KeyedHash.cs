using System.Security.Cryptography;

namespace Solidarity.Web.Infrastructure.Hashing;

/// <summary>
/// An HMAC-SHA256 under a secret from configuration, in lower-case hex: how the site names a person (an email address,
/// a client address, an organisation) in a table or a log without holding anything that a guessed value could be
/// tested against, since the key is never in the database. Each use has its own key, so no two tables can be joined by
/// their hashes. Development and the test suite use a fixed key; Production refuses to start without a key of its own
/// (<see cref="Hosting.ProductionSettings"/>).
/// </summary>
internal sealed class KeyedHash(string? configuredKey, string developmentKey)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(configuredKey is { Length: > 0 } key ? key : developmentKey);

    public string Hex(string value) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(value)));
}
