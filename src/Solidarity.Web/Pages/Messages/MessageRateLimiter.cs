using System.Net;

namespace Solidarity.Web.Pages.Messages;

internal sealed class MessageSettings
{
    public const string Section = "Messages";

    /// <summary>Messages one address may send in <see cref="RateLimitWindow"/>.</summary>
    public int RateLimitPermits { get; set; } = 5;
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Approved messages on one page of a dispute's list.</summary>
    public int PageSize { get; set; } = 10;
}

/// <summary>
/// The limit on messages per client address, counted in PostgreSQL so that five messages per ten minutes means five
/// across every web process. Asked from the page handler rather than by middleware, so that a refused sender gets the
/// form back with the text they typed and a 429, instead of a bare status page that loses it.
/// </summary>
internal sealed class MessageRateLimiter(Throttle throttle, IOptions<MessageSettings> options)
{
    public const string Scope = "message";

    /// <returns>Null when the message may be sent; otherwise how long until this address may send again.</returns>
    public Task<TimeSpan?> TryAcquireAsync(IPAddress? address, CancellationToken cancellationToken) =>
        throttle.TryTakeAsync(Scope, throttle.ClientSubject(address), options.Value.RateLimitPermits, options.Value.RateLimitWindow, cancellationToken);
}
