using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Solidarity.Web.Infrastructure.Hosting;

internal static class ForwardedHeadersHosting
{
    public const string Section = "ForwardedHeaders";

    /// <summary>
    /// Takes the client's address and scheme from X-Forwarded-For and X-Forwarded-Proto, but only from the reverse
    /// proxies in ForwardedHeaders:KnownProxies (addresses) and ForwardedHeaders:KnownNetworks (CIDR ranges), each a
    /// comma-separated list, and from loopback as ASP.NET Core does by default. From anyone else the headers are
    /// ignored: a client that could set them would choose its own address for the message limit and pass as HTTPS.
    /// </summary>
    public static void AddSolidarityForwardedHeaders(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(Section);
        var proxies = Entries(section, "KnownProxies", "an IP address", text => (IPAddress.TryParse(text, out var address), address!));
        var networks = Entries(section, "KnownNetworks", "a network in CIDR notation, such as 10.0.0.0/8", text => (System.Net.IPNetwork.TryParse(text, out var network), network));

        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;

            // Through a chain of trusted proxies (a load balancer, then nginx) the client is the first address from
            // the right that no trusted proxy added; the walk stops at the first untrusted hop whatever the limit.
            options.ForwardLimit = null;
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(proxy);
            }

            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(network);
            }
        });
    }

    /// <summary>First in the pipeline, so that HSTS, HTTPS redirects, cookies, logs and limits all see the client.</summary>
    public static void UseSolidarityForwardedHeaders(this WebApplication app) => app.UseForwardedHeaders();

    /// <summary>A mistyped entry stops start-up: silently trusting less would break the site behind its proxy, and no one would know why.</summary>
    private static List<T> Entries<T>(IConfigurationSection section, string key, string expected, Func<string, (bool Parsed, T Value)> parse)
    {
        var entries = new List<T>();
        foreach (var text in (section[key] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (parsed, value) = parse(text);
            entries.Add(parsed ? value : throw new InvalidOperationException($"{Section}:{key} has '{text}', which is not {expected}."));
        }

        return entries;
    }
}
