using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Testing;
using Solidarity.Web.Demo;

namespace Solidarity.Tests.Infrastructure;

/// <summary>A clock the tests set; the site and the demo seed both read it.</summary>
public sealed class TestClock : TimeProvider
{
    /// <summary>Wednesday 20 May 2026, 12:00 in London (BST): the demo strike then runs 10 to 24 May.</summary>
    public static readonly DateTimeOffset Default = new(2026, 5, 20, 11, 0, 0, TimeSpan.Zero);

    public DateTimeOffset Now { get; set; } = Default;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// The public site, with its messages, updates and feeds: a clock the tests set, its address configured
/// (<see cref="BaseUrl"/>), mail to a loopback SMTP server, a test-only header that sets the client address (so each test
/// sends from an address of its own and the rate limits can be tried address by address), the SQL each request sends,
/// what the output cache stores, and one extra endpoint that throws, so the 500 page can be seen as a visitor would see
/// it. The header and the endpoint exist only in this host, never in the product.
/// </summary>
public sealed class PublicSiteApp(int smtpPort) : SolidarityApp
{
    public const string ThrowingPath = "/test-only/throw";
    public const string SecretMessage = "Secret internals: Host=db.internal;Password=hunter2";
    public const string ClientAddressHeader = ClientAddress.Header;
    public const string BaseUrl = "https://solidarity.test";

    public TestClock Clock { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        .. LoopbackSmtp.SiteSettings(smtpPort, "Solidarity <messages@solidarity.test>"),
        new("Site:BaseUrl", BaseUrl),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<IStartupFilter, ClientAddress>();
            services.AddSingleton<IStartupFilter, ThrowingEndpoint>();
            SqlCommandLog.AddTo(services);
            RecordingOutputCacheStore.AddTo(services);
        });
    }

    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>Empties this process's cache of public pages, so the next request renders from the database.</summary>
    public Task EvictPublicPagesAsync() => EvictPublicPagesAsync(this);

    /// <summary>What this process, or a host derived from it with WithWebHostBuilder, has put in its output cache.</summary>
    public static IReadOnlyList<StoredPage> CachedPagesOf(WebApplicationFactory<Program> site) =>
        ((RecordingOutputCacheStore)site.Services.GetRequiredService<IOutputCacheStore>()).Stored;

    public Task<(HttpResponseMessage Response, IReadOnlyList<string> Commands)> GetCountingAsync(HttpClient client, string path) =>
        GetCountingAsync(this, client, path);

    /// <summary>
    /// GETs <paramref name="path"/> from <paramref name="site"/> (this app or a host derived from it) as a named
    /// request, and answers what the site sent the database to serve it: nothing, when it came from the cache.
    /// </summary>
    public static async Task<(HttpResponseMessage Response, IReadOnlyList<string> Commands)> GetCountingAsync(
        WebApplicationFactory<Program> site, HttpClient client, string path)
    {
        var requestId = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Add(SqlCommandLog.Header, requestId);
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return (response, site.Services.GetRequiredService<SqlCommandLog>().CommandsOf(requestId));
    }

    public Task<IReadOnlyList<string>> SeedDemoAsync() => DemoData.SeedAsync(Services, CancellationToken.None);

    /// <summary>
    /// Added after the site's own pipeline, so the exception travels back through the site's
    /// exception handler exactly as a fault in a page would.
    /// </summary>
    private sealed class ThrowingEndpoint : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((HttpContext context, RequestDelegate rest) =>
                context.Request.Path == ThrowingPath ? throw new InvalidOperationException(SecretMessage) : rest(context));
        };
    }
}

public sealed class PublicSiteFixture : OwnSite<PublicSiteApp>
{
    public LoopbackSmtp Smtp { get; private set; } = default!;

    protected override string DatabasePrefix => "solidarity_public";

    protected override async Task<PublicSiteApp> CreateAsync()
    {
        Smtp = Beside(await LoopbackSmtp.StartAsync());
        return new PublicSiteApp(Smtp.Port);
    }
}

[CollectionDefinition(Name)]
public sealed class PublicSiteCollection : ICollectionFixture<PublicSiteFixture>
{
    public const string Name = "public-site";
}

/// <summary>A test on the public site: tables emptied and the clock set back to its default before each test.</summary>
[Collection(PublicSiteCollection.Name)]
public abstract class PublicSiteTest(PublicSiteFixture fixture) : IAsyncLifetime
{
    protected PublicSiteApp App => fixture.App;

    protected LoopbackSmtp Smtp => fixture.Smtp;

    public virtual async Task InitializeAsync()
    {
        App.Clock.Now = TestClock.Default;
        await App.ResetAsync();
        fixture.Smtp.Clear();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    protected async Task<(HttpResponseMessage Response, IDocument Document)> GetAsync(string path)
    {
        using var client = App.Browser();
        var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();
        var document = await new HtmlParser().ParseDocumentAsync(html);
        return (response, document);
    }

    protected async Task<IDocument> GetPageAsync(string path)
    {
        var (response, document) = await GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}");
        return document;
    }

    protected static string Text(IElement? element) => Squash(element?.TextContent);

    protected static string Squash(string? text) =>
        string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
