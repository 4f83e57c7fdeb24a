using MailKit.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Data;
using Solidarity.Testing;
using Solidarity.Web.Infrastructure.Email;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Hosting;

/// <summary>In Production the site refuses to start, saying which setting is missing, rather than take money it cannot handle.</summary>
public sealed class ProductionStartupTests(SiteFixture fixture) : SiteTest(fixture)
{
    private static readonly Dictionary<string, string?> Complete = new()
    {
        ["Stripe:SecretKey"] = "sk_test_production_startup",
        ["Smtp:Host"] = "127.0.0.1",
        ["Site:BaseUrl"] = "https://solidarity.example",
    };

    [Fact]
    public async Task Production_with_every_setting_starts()
    {
        await using var site = new ProductionSite(Complete, App.ConnectionString);

        var db = site.Services.CreateScope().ServiceProvider.GetRequiredService<SolidarityDbContext>();
        Assert.True(await db.Database.CanConnectAsync());
    }

    [Theory]
    [InlineData("Stripe:SecretKey", "Stripe:SecretKey and Stripe:WebhookSecret must be set")]
    [InlineData("Smtp:Host", "Smtp:Host is not set")]
    [InlineData("Site:BaseUrl", "Site:BaseUrl is not set")]
    public async Task Production_without_a_required_setting_stops_with_a_message_naming_it(string missing, string message)
    {
        var settings = new Dictionary<string, string?>(Complete) { [missing] = "" };
        await using var site = new ProductionSite(settings, App.ConnectionString);

        var refused = Assert.ThrowsAny<Exception>(() => site.Services);

        Assert.Contains(message, refused.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_refuses_unencrypted_mail()
    {
        var settings = new Dictionary<string, string?>(Complete) { ["Smtp:Security"] = "None" };
        await using var site = new ProductionSite(settings, App.ConnectionString);

        var refused = Assert.ThrowsAny<Exception>(() => site.Services);

        Assert.Contains("must be encrypted", refused.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(587, SecureSocketOptions.StartTls)]
    [InlineData(465, SecureSocketOptions.SslOnConnect)]
    [InlineData(25, SecureSocketOptions.StartTls)]
    public void In_Production_automatic_mail_security_never_falls_back_to_plain_text(int port, SecureSocketOptions expected)
    {
        var production = new SmtpSettings { Port = port, RequireEncryption = true };
        var development = new SmtpSettings { Port = port };

        Assert.Equal(expected, production.EffectiveSecurity);
        Assert.Equal(SecureSocketOptions.Auto, development.EffectiveSecurity);
    }

    [Theory]
    [InlineData("seed-demo")]
    [InlineData("--DemoData:Seed=true")]
    public async Task Production_refuses_demo_data_whose_admin_password_is_published(string argument)
    {
        var (exitCode, error) = await RunSiteProcessAsync("Production", argument);

        Assert.Equal(2, exitCode);
        Assert.Contains("Demo data is never added in Production", error, StringComparison.Ordinal);
        Assert.Equal(0, await App.WithDbAsync(db => db.Disputes.CountAsync()));
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    [InlineData("Testing")]
    public async Task Volume_seed_is_refused_outside_Development(string environment)
    {
        var (exitCode, error) = await RunSiteProcessAsync(environment, "seed-volume", "--donations", "10", "--messages", "1");

        Assert.Equal(2, exitCode);
        Assert.Contains($"runs only in Development (ASPNETCORE_ENVIRONMENT=Development); this is {environment}", error, StringComparison.Ordinal);
        Assert.Equal(0, await App.WithDbAsync(db => db.Donations.CountAsync()));
    }

    /// <summary>Runs the built site as its own process, as an operator would, and answers its exit code and standard error.</summary>
    private async Task<(int ExitCode, string Error)> RunSiteProcessAsync(string environment, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = environment,
                ["ConnectionStrings__Solidarity"] = App.ConnectionString,
                ["Stripe__SecretKey"] = Complete["Stripe:SecretKey"],
                ["Stripe__WebhookSecret"] = SolidarityApp.WebhookSecret,
                ["Smtp__Host"] = Complete["Smtp:Host"],
                ["Site__BaseUrl"] = Complete["Site:BaseUrl"],
                ["Jobs__Role"] = "web",
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            },
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(patience.Token);
        _ = await output;
        return (process.ExitCode, await error);
    }

    private sealed class ProductionSite(IReadOnlyDictionary<string, string?> settings, string connectionString) : SolidarityApp
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            [.. settings, new("ConnectionStrings:Solidarity", connectionString)];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
        }
    }
}
