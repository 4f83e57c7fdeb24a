using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Testing;
using Solidarity.Web.Infrastructure.Jobs;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Hosting;

public sealed class HealthTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Site_on_a_migrated_database_is_live_and_ready(string path)
    {
        using var client = App.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unreachable_database_makes_the_site_unready_but_leaves_it_live()
    {
        await using var site = new SiteOn(ClosedPortConnectionString(), jobsOn: App.ConnectionString);
        using var client = site.CreateClient();

        using var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("text/plain", ready.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());

        using var live = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", await live.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Database_without_the_migrations_makes_the_site_unready()
    {
        var server = await TestPostgres.SharedAsync();
        await using var site = new SiteOn(await server.CreateDatabaseAsync("solidarity_unmigrated"));
        using var client = site.CreateClient();

        using var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
    }

    /// <summary>A port on this machine that was free a moment ago and that nothing listens on.</summary>
    private static string ClosedPortConnectionString()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"Host=127.0.0.1;Port={port};Database=solidarity;Username=solidarity;Password=unused;Timeout=2";
    }

    /// <summary>The site on a database as given: not migrated first, perhaps not even there.</summary>
    private sealed class SiteOn(string connectionString, string? jobsOn = null) : SolidarityApp
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("ConnectionStrings:Solidarity", connectionString)];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            if (jobsOn is not null)
            {
                // Hangfire keeps trying an unreachable database for half a minute before the site starts; the job
                // storage has no part in readiness, so it is kept on a database that answers.
                builder.ConfigureTestServices(services => services.AddSingleton(_ => JobsHosting.CreateStorage(jobsOn, new JobsSettings())));
            }
        }
    }
}
