using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Solidarity.Web.Pages.Account;

/// <summary>
/// How long a session lasts. Admins and moderators hold the keys to money, donors and people, so their sessions end
/// after <see cref="PrivilegedIdle"/> without a request and <see cref="PrivilegedAbsolute"/> after signing in, however
/// busy; a branch officer's lasts <see cref="OfficerIdle"/> from the last request. The start of the session travels in
/// the cookie's own properties, which every renewal (sliding, a security-stamp check, a refreshed sign-in) carries over
/// and only a new sign-in replaces.
/// </summary>
internal static class SessionLimits
{
    public static readonly TimeSpan PrivilegedIdle = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan PrivilegedAbsolute = TimeSpan.FromHours(12);
    public static readonly TimeSpan OfficerIdle = TimeSpan.FromHours(8);

    /// <summary>How stale a privileged session's cookie may be before a request rewrites it, which bounds the idle limit's slack.</summary>
    private static readonly TimeSpan RenewAfter = TimeSpan.FromMinutes(1);

    public const string StartedItem = ".solidarity.session-started";

    public static bool IsPrivileged(ClaimsPrincipal principal) => principal.IsInRole(Roles.Admin) || principal.IsInRole(Roles.Moderator);

    /// <summary>At every writing of the cookie: notes when a new session began, and caps a privileged one's expiry.</summary>
    public static Task SigningInAsync(CookieSigningInContext context)
    {
        var properties = context.Properties;
        var issued = properties.IssuedUtc ?? context.Options.TimeProvider!.GetUtcNow();
        var started = Started(properties) ?? issued;
        properties.Items[StartedItem] = started.ToString("O", CultureInfo.InvariantCulture);
        if (IsPrivileged(context.Principal!))
        {
            var idleEnd = issued + PrivilegedIdle;
            var absoluteEnd = started + PrivilegedAbsolute;
            properties.ExpiresUtc = idleEnd < absoluteEnd ? idleEnd : absoluteEnd;
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// At every request: ends a privileged session past either limit, and rewrites its cookie once a minute of use, so
    /// the idle limit counts from the last request rather than from the last time the cookie happened to be renewed.
    /// </summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal is not { } principal || !IsPrivileged(principal))
        {
            return;
        }

        var now = context.Options.TimeProvider!.GetUtcNow();
        var properties = context.Properties;
        var started = Started(properties) ?? properties.IssuedUtc;
        var lastWritten = properties.IssuedUtc;
        if (started is null || lastWritten is null || now - started >= PrivilegedAbsolute || now - lastWritten >= PrivilegedIdle)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(context.Scheme.Name);
            return;
        }

        if (now - lastWritten >= RenewAfter)
        {
            context.ShouldRenew = true;
        }
    }

    private static DateTimeOffset? Started(AuthenticationProperties properties) =>
        properties.Items.TryGetValue(StartedItem, out var text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var started)
            ? started
            : null;
}
