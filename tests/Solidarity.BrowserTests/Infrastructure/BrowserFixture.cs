using Microsoft.Playwright;
using Solidarity.Testing;

namespace Solidarity.BrowserTests.Infrastructure;

/// <summary>
/// The site on a real loopback port (the browser cannot reach an in-memory test server), its own database,
/// and one Chromium for every browser test in this assembly.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private TestPostgres? Server { get; set; }
    private IPlaywright? Playwright { get; set; }

    public BrowserSite Site { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        // Every test is skipped without Chromium; starting a database and a site for them would only cost time.
        if (!Chromium.IsInstalled)
        {
            return;
        }

        Server = await TestPostgres.SharedAsync();
        Site = new BrowserSite();
        await Site.InitialiseAsync(Server, "solidarity_browser");
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Chromium.LaunchAsync(Playwright);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Playwright?.Dispose();
        if (Site is not null)
        {
            await Site.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>The site served by Kestrel on 127.0.0.1 and a port the system picks.</summary>
public sealed class BrowserSite : SolidarityApp
{
    private readonly string _mailFolder = Path.Combine(Path.GetTempPath(), "solidarity-browser-mail-" + Guid.NewGuid().ToString("N")[..8]);

    public BrowserSite() => UseKestrel(0);

    /// <summary>As a real deployment: the site runs its own job server, so receipts appear as they would for a donor.</summary>
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Jobs:Role", "all"),
        new("Jobs:QueuePollInterval", "00:00:00.250"),
        new("Jobs:SchedulePollingInterval", "00:00:01"),
        new("Jobs:ShutdownTimeout", "00:00:01"),
        new("Smtp:PickupDirectory", _mailFolder),

        // The demo has one admin, who approves and pays, as the demo's own settings allow.
        new("Remittances:AllowSingleAdmin", "true"),

        // The demo's disputes without their fortnight of history: the remittance journey makes the branch's first
        // statement itself. Tests that want the history add it (BrowserTest.SeedDemoHistoryAsync).
        new("Demo:Donations", "0"),
    ];

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_mailFolder))
        {
            Directory.Delete(_mailFolder, recursive: true);
        }
    }

    /// <summary>
    /// The same site named http://localhost:PORT/, for pages that use passkeys: WebAuthn takes the relying party from the
    /// host name and refuses an IP address.
    /// </summary>
    public Uri LocalhostOrigin => new UriBuilder(Origin) { Host = "localhost" }.Uri;

    /// <summary>Where the site listens, known once the site has started: "http://127.0.0.1:PORT/".</summary>
    public Uri Origin
    {
        get
        {
            StartServer();
            return ClientOptions.BaseAddress;
        }
    }
}
