using Solidarity.Web.Infrastructure.Tokens;

namespace Solidarity.Web.Pages.Receipts;

/// <summary>Receipt download tokens: <see cref="LinkTokens"/>, as every link that carries a secret.</summary>
internal static class ReceiptTokens
{
    public static (string Token, byte[] Hash) Create() => LinkTokens.Create();

    public static bool TryHash(string? token, out byte[] hash) => LinkTokens.TryHash(token, out hash);
}
