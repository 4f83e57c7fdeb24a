using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Solidarity.Tests.Donations.Webhooks;

/// <summary>Stripe's webhook signature scheme, written out independently of Stripe.net to test its verification.</summary>
internal static class StripeSigner
{
    public static string Header(string payload, string secret, DateTimeOffset signedAt)
    {
        var timestamp = signedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }
}
