using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Solidarity.Web.Pages.Messages;

public sealed class MessageSettings
{
    public const string Section = "Messages";

    /// <summary>Messages one address may send in <see cref="RateLimitWindow"/>.</summary>
    public int RateLimitPermits { get; set; } = 5;
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Approved messages on one page of a dispute's list.</summary>
    public int PageSize { get; set; } = 10;
}

/// <summary>
/// The limit on messages per client address: ASP.NET Core's partitioned sliding-window limiter, asked from the
/// page handler rather than by the middleware, so that a refused sender gets the form back with the text they
/// typed and a 429, instead of a bare status page that loses it.
/// </summary>
public sealed class MessageRateLimiter(IOptions<MessageSettings> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetSlidingWindowLimiter(address, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = options.Value.RateLimitPermits,
            Window = options.Value.RateLimitWindow,
            SegmentsPerWindow = 10,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Takes one permit for <paramref name="address"/>; false when its allowance is used up.</summary>
    public bool TryAcquire(IPAddress? address)
    {
        using var lease = _limiter.AttemptAcquire(PartitionOf(address));
        return lease.IsAcquired;
    }

    /// <summary>An IPv4 address, or an IPv6 /64: one home or phone is given a whole /64, so counting its addresses one by one counts nothing.</summary>
    public static string PartitionOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    public void Dispose() => _limiter.Dispose();
}
