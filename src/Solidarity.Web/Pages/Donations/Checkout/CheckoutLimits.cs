using System.Net;

namespace Solidarity.Web.Pages.Donations.Checkout;

internal sealed class CheckoutLimitSettings
{
    public const string Section = "Donations";

    /// <summary>
    /// Checkout sessions one client address may start in an hour, besides one more for each of its gifts paid in the hour:
    /// a crowd giving from one address (a rally's Wi-Fi, a phone network's) is not turned away once it has given ten times.
    /// </summary>
    public int SessionsPerClientPerHour { get; set; } = 10;

    /// <summary>Checkout sessions one email address may start in an hour.</summary>
    public int SessionsPerEmailPerHour { get; set; } = 5;

    /// <summary>Checkout sessions the whole site may start in a minute: well inside Stripe's API rate limit.</summary>
    public int SessionsPerSitePerMinute { get; set; } = 300;

    /// <summary>Declined card payments within an hour, from one client or one email address, that block it for a day.</summary>
    public int DeclinedPaymentsBeforeBlock { get; set; } = 5;
}

/// <summary>Why a checkout may not start yet, and for how long.</summary>
internal sealed record CheckoutRefusal(TimeSpan Wait, bool CardTesting);

/// <summary>
/// How many Checkout Sessions may be started, counted in PostgreSQL so that the limits hold across every web process.
/// Each session stores a name and an email and costs a call to Stripe, and scripts that test stolen cards through the
/// smallest donation, or plant strangers' names and addresses, do it by the thousand: per client address, per email
/// address, and for the whole site, so a flood from many addresses still cannot use up the site's Stripe rate limit.
/// </summary>
internal sealed class CheckoutLimits(Throttle throttle, CardTesting cardTesting, IOptions<CheckoutLimitSettings> options)
{
    public const string ClientScope = "checkout-client";
    public const string EmailScope = "checkout-email";
    public const string SiteScope = "checkout-site";

    /// <returns>Null when a session may be started; otherwise why not, and how long until one may.</returns>
    public async Task<CheckoutRefusal?> TryStartAsync(IPAddress? client, string email, CancellationToken cancellationToken)
    {
        // A client or address blocked for card testing is refused before it is counted: a script stays refused all day.
        if (await cardTesting.BlockedForAsync(client, email, cancellationToken) is { } blocked)
        {
            return new CheckoutRefusal(blocked, CardTesting: true);
        }

        // Counted in this order, and only as far as the first that refuses: an attempt its client's or its address's limit
        // refuses takes none of the site's, so that one script refused for itself cannot use up the whole site's allowance.
        // The limits after it are read without counting, so the wait told is the longest, and an attempt made then goes through.
        var limits = options.Value;
        var clientSubject = throttle.ClientSubject(client);
        var paidFromClient = await cardTesting.PaidGiftsFromAsync(clientSubject, cancellationToken);
        TimeSpan? wait = null;
        foreach (var (scope, subject, limit, window) in new[]
        {
            (ClientScope, clientSubject, limits.SessionsPerClientPerHour + paidFromClient, TimeSpan.FromHours(1)),
            (EmailScope, throttle.TextSubject("email", email), limits.SessionsPerEmailPerHour, TimeSpan.FromHours(1)),
            (SiteScope, "site", limits.SessionsPerSitePerMinute, TimeSpan.FromMinutes(1)),
        })
        {
            var refused = wait is null
                ? await throttle.TryTakeAsync(scope, subject, limit, window, cancellationToken)
                : await throttle.WaitWithoutTakingAsync(scope, subject, limit, window, cancellationToken);
            if (refused > (wait ?? TimeSpan.Zero))
            {
                wait = refused;
            }
        }

        return wait is { } longest ? new CheckoutRefusal(longest, CardTesting: false) : null;
    }
}
