namespace Solidarity.Web.Pages.Account;

/// <summary>
/// The second factor: an authenticator app (Identity's "two-factor enabled", with its key and recovery codes) or a
/// passkey, either of which is asked for after the password. Turning the app on and off, for the authenticator page,
/// invitations and the people page alike.
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

    /// <summary>True when the account has an authenticator app or a passkey: the password alone then never signs it in.</summary>
    public static async Task<bool> IsEnrolledAsync(UserManager<ApplicationUser> users, ApplicationUser user) =>
        await users.GetTwoFactorEnabledAsync(user) || await HasPasskeyAsync(users, user);

    public static async Task<bool> HasPasskeyAsync(UserManager<ApplicationUser> users, ApplicationUser user) =>
        (await users.GetPasskeysAsync(user)).Count > 0;

    /// <summary>Checks a code from the app; each code is accepted once (<see cref="OnceOnlyAuthenticatorTokenProvider"/>).</summary>
    public static Task<bool> VerifyAsync(UserManager<ApplicationUser> users, ApplicationUser user, string code) =>
        users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, AccountFlow.CleanCode(code));

    /// <summary>Turns the second factor on, once a code has proved the app holds the key; answers new recovery codes.</summary>
    public static async Task<string[]> TurnOnAsync(UserManager<ApplicationUser> users, ApplicationUser user)
    {
        Check(await users.SetTwoFactorEnabledAsync(user, true));
        return await NewRecoveryCodesAsync(users, user);
    }

    /// <summary>New recovery codes, replacing any older ones: they stand in for the app or the passkey alike.</summary>
    public static async Task<string[]> NewRecoveryCodesAsync(UserManager<ApplicationUser> users, ApplicationUser user) =>
        (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))?.ToArray() ?? [];

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
        await RemovePasskeysAsync(users, user);
        await RemoveAppAsync(users, user);
        Check(await users.RemoveAuthenticationTokenAsync(user, StoreProvider, RecoveryCodesToken));
        Check(await users.UpdateSecurityStampAsync(user));
    }

    /// <summary>Forgets every passkey of the account; the app and the recovery codes stay.</summary>
    public static async Task RemovePasskeysAsync(UserManager<ApplicationUser> users, ApplicationUser user)
    {
        foreach (var passkey in await users.GetPasskeysAsync(user))
        {
            Check(await users.RemovePasskeyAsync(user, passkey.CredentialId));
        }
    }

    /// <summary>Turns the authenticator app off and forgets its key; passkeys and recovery codes stay.</summary>
    public static async Task RemoveAppAsync(UserManager<ApplicationUser> users, ApplicationUser user)
    {
        Check(await users.SetTwoFactorEnabledAsync(user, false));
        Check(await users.RemoveAuthenticationTokenAsync(user, StoreProvider, AuthenticatorKeyToken));
        user.LastAuthenticatorTimeStep = null;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
