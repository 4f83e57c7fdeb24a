using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Hosting;

/// <summary>
/// The site behind reverse proxies: 10.1.1.1 and 10.1.1.2 and the network 192.168.50.0/24 are trusted, as configured,
/// and loopback by default. A request to a path no page answers falls through the site's pipeline to a test-only
/// handler that writes the scheme and client address the site saw, which is what the message limit, cookies and HSTS use.
/// </summary>
public sealed class ForwardedHeadersTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Theory]
    [InlineData("10.1.1.1")]
    [InlineData("192.168.50.20")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Trusted_proxy_passes_on_the_client_address_and_https(string proxy)
    {
        await using var site = ProxiedSite.On(App);

        var seen = await site.SeenAsync(proxy, forwardedFor: "203.0.113.7", forwardedProto: "https");

        Assert.Equal("https 203.0.113.7", seen);
    }

    [Theory]
    [InlineData("198.51.100.9")]
    [InlineData("192.168.51.20")]
    [InlineData("10.1.1.3")]
    public async Task Forwarded_headers_from_an_untrusted_address_are_ignored(string sender)
    {
        await using var site = ProxiedSite.On(App);

        var seen = await site.SeenAsync(sender, forwardedFor: "203.0.113.7", forwardedProto: "https");

        Assert.Equal($"http {sender}", seen);
    }

    [Fact]
    public async Task Through_a_chain_of_proxies_the_client_is_the_first_address_no_trusted_proxy_added()
    {
        await using var site = ProxiedSite.On(App);

        // The client claimed 198.51.100.66 itself; the first trusted proxy saw it connect from 203.0.113.7.
        var seen = await site.SeenAsync("10.1.1.1", forwardedFor: "198.51.100.66, 203.0.113.7, 10.1.1.2", forwardedProto: null);

        Assert.Equal("http 203.0.113.7", seen);
    }

    [Theory]
    [InlineData("10.1.1.1", "https")]
    [InlineData("198.51.100.9", "http")]
    public async Task Sign_in_redirect_keeps_the_scheme_the_trusted_proxy_reports(string sender, string scheme)
    {
        await using var site = ProxiedSite.On(App);

        var response = await site.Server.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = "/admin";
            context.Connection.RemoteIpAddress = IPAddress.Parse(sender);
            context.Request.Headers["X-Forwarded-Proto"] = "https";
        });

        Assert.Equal(StatusCodes.Status302Found, response.Response.StatusCode);
        Assert.StartsWith($"{scheme}://", response.Response.Headers.Location.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies", "10.1.1.1, proxy.internal")]
    [InlineData("ForwardedHeaders:KnownNetworks", "10.0.0.0/8, 192.168.50.0")]
    public async Task A_mistyped_proxy_or_network_stops_start_up(string key, string value)
    {
        await using var site = new ProxiedSite(key, value);
        site.ShareDatabaseOf(App);

        var error = Assert.Throws<InvalidOperationException>(() => site.Services);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private sealed class ProxiedSite(string? key = null, string? value = null) : SolidarityApp
    {
        public const string SeenPath = "/test/seen";

        public static ProxiedSite On(SolidarityApp app)
        {
            var site = new ProxiedSite();
            site.ShareDatabaseOf(app);
            return site;
        }

        protected override IEnumerable<KeyValuePair<string, string?>> Settings => key is null
            ?
            [
                new("ForwardedHeaders:KnownProxies", " 10.1.1.1,10.1.1.2 "),
                new("ForwardedHeaders:KnownNetworks", "192.168.50.0/24"),
            ]
            : [new(key, value)];

        /// <summary>What the site saw of a request that reached it from <paramref name="sender"/> with the given headers.</summary>
        public async Task<string> SeenAsync(string sender, string forwardedFor, string? forwardedProto)
        {
            var context = await Server.SendAsync(request =>
            {
                request.Request.Method = HttpMethods.Get;
                request.Request.Scheme = "http";
                request.Request.Path = SeenPath;
                request.Connection.RemoteIpAddress = IPAddress.Parse(sender);
                request.Request.Headers["X-Forwarded-For"] = forwardedFor;
                if (forwardedProto is not null)
                {
                    request.Request.Headers["X-Forwarded-Proto"] = forwardedProto;
                }
            });
            Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
            return await new StreamReader(context.Response.Body).ReadToEndAsync();
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, ReportWhatWasSeen>());
        }

        /// <summary>After the site's own pipeline, so it sees the request as the pages do.</summary>
        private sealed class ReportWhatWasSeen : IStartupFilter
        {
            public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
            {
                next(app);
                app.Run(context => context.Request.Path == SeenPath
                    ? context.Response.WriteAsync($"{context.Request.Scheme} {context.Connection.RemoteIpAddress}")
                    : Task.CompletedTask);
            };
        }
    }
}
