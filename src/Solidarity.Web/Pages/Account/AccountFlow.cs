namespace Solidarity.Web.Pages.Account;

/// <summary>Where people go after signing in, and what the session says about how they proved who they are.</summary>
internal static class AccountFlow
{
    public const string AmrClaim = "amr";

    /// <summary>Only a local address is honoured, so a crafted sign-in link cannot send someone to another site.</summary>
    public static string Landing(IUrlHelper url, string? returnUrl, string home) =>
        !string.IsNullOrEmpty(returnUrl) && url.IsLocalUrl(returnUrl) ? returnUrl : home;

    /// <summary>
    /// Where an account goes after signing in, when no page asked for it: moderators to the messages waiting, branch
    /// officers to their branch (where one without a second factor is reminded to set it up).
    /// </summary>
    public static async Task<string> HomeAsync(UserManager<ApplicationUser> users, ApplicationUser user) =>
        await users.IsInRoleAsync(user, Roles.Admin) ? "/admin"
        : await users.IsInRoleAsync(user, Roles.Moderator) ? "/admin/messages"
        : await users.IsInRoleAsync(user, Roles.BranchOfficer) ? "/branch"
        : "/";

    /// <summary>Notes a completed sign-in on the account, for the people page.</summary>
    public static async Task RecordSignInAsync(UserManager<ApplicationUser> users, ApplicationUser user, TimeProvider time)
    {
        user.LastSignInAt = time.GetUtcNow();
        await users.UpdateAsync(user);
    }

    public static string? LocalOrNull(IUrlHelper url, string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && url.IsLocalUrl(returnUrl) ? returnUrl : null;

    public static bool UsedSecondFactor(ClaimsPrincipal principal) => principal.HasClaim(AmrClaim, AccountsHosting.MfaAmr);

    /// <summary>"abcd efgh ijkl ...": easier to type into an authenticator app than one long string.</summary>
    public static string FormatKey(string key)
    {
        var groups = key.ToLowerInvariant().Chunk(4).Select(chunk => new string(chunk));
        return string.Join(' ', groups);
    }

    /// <summary>Codes are typed as "123 456" or "123-456" as often as "123456".</summary>
    public static string CleanCode(string code) =>
        code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);

    /// <summary>
    /// When the security stamp is re-validated Identity rebuilds the principal from the database and drops the
    /// claims that describe the sign-in itself; without this an admin would lose the second factor (and the
    /// admin area) half an hour into the session. The stamp matching means nothing about the account has changed.
    /// </summary>
    public static Task KeepAuthenticationMethodsAsync(SecurityStampRefreshingPrincipalContext context)
    {
        if (context.NewPrincipal?.Identity is ClaimsIdentity identity && context.CurrentPrincipal is not null)
        {
            foreach (var method in context.CurrentPrincipal.FindAll(AmrClaim))
            {
                if (!identity.HasClaim(AmrClaim, method.Value))
                {
                    identity.AddClaim(new Claim(AmrClaim, method.Value));
                }
            }
        }

        return Task.CompletedTask;
    }
}
