using Solidarity.Testing;

namespace Solidarity.Tests.Infrastructure;

/// <summary>One PostgreSQL server and one hosted site for every database test in this assembly.</summary>
public sealed class SiteFixture : IAsyncLifetime
{
    public TestPostgres Server { get; private set; } = default!;
    public SolidarityApp App { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        Server = await TestPostgres.SharedAsync();
        App = new SolidarityApp();
        await App.InitialiseAsync(Server);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SiteCollection : ICollectionFixture<SiteFixture>
{
    public const string Name = "site";
}

/// <summary>A test class on the shared site, with every table emptied before each test.</summary>
[Collection(SiteCollection.Name)]
public abstract class SiteTest(SiteFixture fixture) : IAsyncLifetime
{
    protected SiteFixture Fixture { get; } = fixture;
    protected SolidarityApp App => Fixture.App;

    public virtual Task InitializeAsync() => App.ResetAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;
}
