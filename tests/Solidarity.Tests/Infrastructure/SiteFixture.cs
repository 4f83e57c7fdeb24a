using Solidarity.Testing;

namespace Solidarity.Tests.Infrastructure;

/// <summary>The plain site, for every database test in this assembly that needs no other settings.</summary>
public sealed class SiteFixture : OwnSite<SolidarityApp>
{
    protected override string DatabasePrefix => "solidarity_test";

    protected override Task<SolidarityApp> CreateAsync() => Task.FromResult(new SolidarityApp());
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
