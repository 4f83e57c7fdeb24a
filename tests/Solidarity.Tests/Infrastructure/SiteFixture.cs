using Solidarity.Testing;

namespace Solidarity.Tests.Infrastructure;

/// <summary>
/// The plain site, for every database test in this assembly that needs no other settings. It has no Stripe keys, so
/// donations go to the test checkout, whose webhooks it catches (<see cref="TestCheckoutSite.Webhooks"/>) rather than
/// sends. Beside it: the same site with a Stripe key (<see cref="WithStripe"/>), and sites seeded once for tests that
/// only read them (<see cref="SeededSiteAsync{TSite}"/>).
/// </summary>
public sealed class SiteFixture : OwnSiteWithJobs<TestCheckoutSite>
{
    private readonly Dictionary<Type, Task<SolidarityApp>> _seeded = [];

    /// <summary>The loopback stand-in for Stripe's API that <see cref="WithStripe"/> talks to.</summary>
    public StripeStandIn Stripe { get; private set; } = default!;

    /// <summary>
    /// The site with a Stripe secret key, its Stripe.net pointed at <see cref="Stripe"/>: a second process of the site on
    /// the same database, whose host starts when a test first uses it.
    /// </summary>
    public StandInSite WithStripe { get; private set; } = default!;

    protected override string DatabasePrefix => "solidarity_test";

    protected override async Task<TestCheckoutSite> CreateAsync()
    {
        var stripe = await StripeStandIn.StartAsync();
        WithStripe = Beside(new StandInSite(stripe.BaseUrl));
        Stripe = Beside(stripe);
        return new TestCheckoutSite();
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        WithStripe.ShareDatabaseOf(App);
    }

    /// <summary>
    /// A site on a database of its own (named from <paramref name="databasePrefix"/>) that tests only read: made and
    /// seeded by <paramref name="seed"/> the first time a test of the collection asks for it, and kept for the rest.
    /// </summary>
    public async Task<TSite> SeededSiteAsync<TSite>(string databasePrefix, Func<TSite, Task> seed)
        where TSite : SolidarityApp, new()
    {
        if (!_seeded.TryGetValue(typeof(TSite), out var site))
        {
            // The tests of a collection run one at a time, so no second test can ask while this one is seeding.
            site = MakeAsync();
            _seeded[typeof(TSite)] = site;
        }

        return (TSite)await site;

        async Task<SolidarityApp> MakeAsync()
        {
            var made = Beside(new TSite());
            await made.InitialiseAsync(Server, databasePrefix);
            await seed(made);
            return made;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SiteCollection : ICollectionFixture<SiteFixture>
{
    public const string Name = "site";
}

/// <summary>A test class on the shared site, with every table (Hangfire's too) emptied before each test.</summary>
[Collection(SiteCollection.Name)]
public abstract class SiteTest(SiteFixture fixture) : IAsyncLifetime
{
    protected SiteFixture Fixture { get; } = fixture;
    protected SolidarityApp App => Fixture.App;

    public virtual Task InitializeAsync() => Fixture.ResetAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;
}
