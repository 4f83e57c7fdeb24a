using Microsoft.AspNetCore.Identity;
using Solidarity.Core.Accounts;

namespace Solidarity.Web.Pages.Account;

/// <summary>
/// Turning an authenticator app on and off, for the authenticator page, invitations and the people page alike.
/// </summary>
internal static class SecondFactor
{
    public const int RecoveryCodeCount = 10;

    /// <summary>TempData key under which freshly made recovery codes travel to the page that shows them once.</summary>
    public const string RecoveryCodesKey = "RecoveryCodes";

    // Identity's user store keeps the key and the recovery codes as tokens under these names (UserStoreBase), and
    // UserManager can replace them but not remove them.
    private const string StoreProvider = "[AspNetUserStore]";
    private const string AuthenticatorKeyToken = "AuthenticatorKey";
    private const string RecoveryCodesToken = "RecoveryCodes";

    /// <summary>Checks a code from the app; each code is accepted once (<see cref="OnceOnlyAuthenticatorTokenProvider"/>).</summary>
    public static Task<bool> VerifyAsync(UserManager<ApplicationUser> users, ApplicationUser user, string code) =>
        users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, AccountFlow.CleanCode(code));

    /// <summary>Turns the second factor on, once a code has proved the app holds the key; answers new recovery codes.</summary>
    public static async Task<string[]> TurnOnAsync(UserManager<ApplicationUser> users, ApplicationUser user)
    {
        Check(await users.SetTwoFactorEnabledAsync(user, true));
        return (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))?.ToArray() ?? [];
    }

    /// <summary>
    /// Gives the account <paramref name="key"/> (one shown on an invitation page), with no codes accepted before it,
    /// so the first code of the new app is checked against nothing the old app did.
    /// </summary>
    public static async Task UseKeyAsync(UserManager<ApplicationUser> users, IUserStore<ApplicationUser> store, ApplicationUser user, string key)
    {
        var keys = (IUserAuthenticatorKeyStore<ApplicationUser>)store;
        await keys.SetAuthenticatorKeyAsync(user, key, CancellationToken.None);
        user.LastAuthenticatorTimeStep = null;
        Check(await users.UpdateAsync(user));
    }

    /// <summary>
    /// Removes the app's key, the recovery codes and every passkey (a lost phone may hold one) and turns the second
    /// factor off; the new security stamp ends every session of the account at its next check.
    /// </summary>
    public static async Task RemoveAsync(UserManager<ApplicationUser> users, ApplicationUser user)
    {
        foreach (var passkey in await users.GetPasskeysAsync(user))
        {
            Check(await users.RemovePasskeyAsync(user, passkey.CredentialId));
        }

        Check(await users.SetTwoFactorEnabledAsync(user, false));
        Check(await users.RemoveAuthenticationTokenAsync(user, StoreProvider, AuthenticatorKeyToken));
        Check(await users.RemoveAuthenticationTokenAsync(user, StoreProvider, RecoveryCodesToken));
        user.LastAuthenticatorTimeStep = null;
        Check(await users.UpdateSecurityStampAsync(user));
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
