using MailKit.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Data;
using Solidarity.Testing;
using Solidarity.Web.Infrastructure.Email;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Hosting;

/// <summary>In Production the site refuses to start, saying which setting is missing, rather than take money it cannot handle.</summary>
public sealed class ProductionStartupTests(SiteFixture fixture) : SiteTest(fixture)
{
    private static readonly Dictionary<string, string?> Complete = new(ProductionSite.Complete);

    [Fact]
    public async Task Production_with_every_setting_starts()
    {
        await using var site = new ProductionSite(Complete, App.ConnectionString);

        var db = site.Services.CreateScope().ServiceProvider.GetRequiredService<SolidarityDbContext>();
        Assert.True(await db.Database.CanConnectAsync());
    }

    [Fact]
    public async Task Production_refuses_a_pickup_directory_that_would_keep_donors_emails_on_disk()
    {
        var settings = new Dictionary<string, string?>(Complete) { ["Smtp:PickupDirectory"] = "/var/mail/solidarity" };
        await using var site = new ProductionSite(settings, App.ConnectionString);

        var refused = Assert.ThrowsAny<Exception>(() => site.Services);

        Assert.Contains("Smtp:PickupDirectory is set", refused.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Stripe:SecretKey", "Stripe:SecretKey and Stripe:WebhookSecret must be set")]
    [InlineData("Smtp:Host", "Smtp:Host is not set")]
    [InlineData("Smtp:From", "Smtp:From is not set")]
    [InlineData("Organisation:Name", "Organisation:Name is not set")]
    [InlineData("Organisation:Address", "Organisation:Address is not set")]
    [InlineData("Site:BaseUrl", "Site:BaseUrl is not set")]
    [InlineData("Supporters:CountingKey", "Supporters:CountingKey is not set")]
    [InlineData("Throttling:Key", "Throttling:Key is not set")]
    [InlineData("Audit:DonorKey", "Audit:DonorKey is not set")]
    [InlineData("DataProtection:CertificatePath", "DataProtection:CertificatePath is not set")]
    public async Task Production_without_a_required_setting_stops_with_a_message_naming_it(string missing, string message)
    {
        var settings = new Dictionary<string, string?>(Complete) { [missing] = "" };
        await using var site = new ProductionSite(settings, App.ConnectionString);

        var refused = Assert.ThrowsAny<Exception>(() => site.Services);

        Assert.Contains(message, refused.GetBaseException().Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A staging copy or a demonstration site may hold real people's data: it never falls back to a secret published in
    /// the source, to sign-in keys kept unencrypted, or to a mail server that does not send.
    /// </summary>
    [Theory]
    [InlineData("Staging", "Supporters:CountingKey", "Supporters:CountingKey is not set")]
    [InlineData("Staging", "DataProtection:CertificatePath", "DataProtection:CertificatePath is not set")]
    [InlineData("Demo", "Audit:DonorKey", "Audit:DonorKey is not set")]
    [InlineData("Demo", "Smtp:Host", "Smtp:Host is not set")]
    [InlineData("Demo", "Site:BaseUrl", "Site:BaseUrl is not set")]
    public async Task A_staging_or_demonstration_site_needs_the_same_settings_as_Production(string environmentName, string missing, string message)
    {
        var settings = new Dictionary<string, string?>(Complete) { [missing] = "" };
        await using var site = new ProductionSite(settings, App.ConnectionString, environmentName);

        var refused = Assert.ThrowsAny<Exception>(() => site.Services);

        Assert.Contains(message, refused.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("solidarity.example.org")]
    [InlineData("ftp://solidarity.example.org")]
    public async Task Production_refuses_a_site_address_that_is_not_a_whole_web_address(string baseUrl)
    {
        var settings = new Dictionary<string, string?>(Complete) { ["Site:BaseUrl"] = baseUrl };
        await using var site = new ProductionSite(settings, App.ConnectionString);

        var refused = Assert.ThrowsAny<Exception>(() => site.Services);

        Assert.Contains($"Site:BaseUrl is \"{baseUrl}\", which is not a whole web address", refused.GetBaseException().Message, StringComparison.Ordinal);
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
        var (exitCode, error) = await RunSiteProcessAsync(ProcessEnvironment(), argument);

        Assert.Equal(2, exitCode);
        Assert.Contains("Demo data is never added in Production", error, StringComparison.Ordinal);
        Assert.Equal(argument != "seed-demo", error.Contains("remove DemoData__Seed", StringComparison.Ordinal));
        Assert.Equal(0, await App.WithDbAsync(db => db.Disputes.CountAsync()));
    }

    [Fact]
    public async Task A_staging_site_refuses_demo_data_too()
    {
        var environment = ProcessEnvironment();
        environment["ASPNETCORE_ENVIRONMENT"] = "Staging";

        var (exitCode, error) = await RunSiteProcessAsync(environment, "seed-demo");

        Assert.Equal(2, exitCode);
        Assert.Contains("Demo data is never added in Staging", error, StringComparison.Ordinal);
        Assert.Equal(0, await App.WithDbAsync(db => db.Disputes.CountAsync()));
    }

    /// <summary>What the runbook's demonstration site runs: compose with ASPNETCORE_ENVIRONMENT=Demo, then seed-demo.</summary>
    [Fact]
    public async Task A_demonstration_environment_seeds_the_demo()
    {
        var environment = ProcessEnvironment();
        environment["ASPNETCORE_ENVIRONMENT"] = "Demo";

        var (exitCode, output, error) = await SiteProcess.RunAsync(environment, "seed-demo");

        Assert.True(exitCode == 0, error);
        Assert.True(await App.WithDbAsync(db => db.Disputes.AnyAsync(d => d.Slug == Solidarity.Web.Demo.DemoData.ArgosSlug)));

        // The links it prints lead to the demonstration's public address, not to where the process listens.
        Assert.Contains(Complete["Site:BaseUrl"] + "/", output, StringComparison.Ordinal);
        Assert.DoesNotContain("localhost:5080", output, StringComparison.Ordinal);
    }

    public static TheoryData<string> RequiredSettings => [.. ProductionSettings.Required];

    /// <summary>
    /// The list deployments are checked against (deploy/kubernetes) holds only settings whose absence really stops a
    /// process, run as the container runs it.
    /// </summary>
    [Theory]
    [MemberData(nameof(RequiredSettings))]
    public async Task Production_process_refuses_to_start_without_each_required_setting_and_names_it(string setting)
    {
        var environment = ProcessEnvironment();
        environment[ProductionSettings.EnvironmentVariable(setting)] = "";

        var (exitCode, error) = await RunSiteProcessAsync(environment, "migrate");

        Assert.NotEqual(0, exitCode);
        Assert.Contains(setting, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    [InlineData("Testing")]
    public async Task Volume_seed_is_refused_outside_Development(string environmentName)
    {
        var environment = ProcessEnvironment();
        environment["ASPNETCORE_ENVIRONMENT"] = environmentName;

        var (exitCode, error) = await RunSiteProcessAsync(environment, "seed-volume", "--donations", "10", "--messages", "1");

        Assert.Equal(2, exitCode);
        Assert.Contains($"runs only in Development (ASPNETCORE_ENVIRONMENT=Development); this is {environmentName}", error, StringComparison.Ordinal);
        Assert.Equal(0, await App.WithDbAsync(db => db.Donations.CountAsync()));
    }

    /// <summary>Every required setting, as environment variables: what a container of the image is given.</summary>
    private Dictionary<string, string?> ProcessEnvironment()
    {
        var environment = SiteProcess.ProductionEnvironment(App.ConnectionString, Complete["Site:BaseUrl"]!);
        environment["Stripe__SecretKey"] = Complete["Stripe:SecretKey"];
        environment["Smtp__Host"] = Complete["Smtp:Host"];
        environment["Supporters__CountingKey"] = Complete["Supporters:CountingKey"];
        environment["Throttling__Key"] = Complete["Throttling:Key"];
        environment["Audit__DonorKey"] = Complete["Audit:DonorKey"];
        return environment;
    }

    private static async Task<(int ExitCode, string Error)> RunSiteProcessAsync(Dictionary<string, string?> environment, params string[] arguments)
    {
        var (exitCode, _, error) = await SiteProcess.RunAsync(environment, arguments);
        return (exitCode, error);
    }
}
