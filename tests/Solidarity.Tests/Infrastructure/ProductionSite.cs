using Microsoft.AspNetCore.Hosting;
using Solidarity.Testing;

namespace Solidarity.Tests.Infrastructure;

/// <summary>
/// The site hosted in-process as Production (or another real site's environment: a staging or demonstration one), with
/// the settings a test gives, on an existing database or (without a connection string) on one
/// <see cref="SolidarityApp.InitialiseAsync"/> makes.
/// </summary>
internal sealed class ProductionSite(
    IReadOnlyDictionary<string, string?> settings, string? connectionString, string environmentName = "Production") : SolidarityApp
{
    /// <summary>Every setting Production refuses to start without, but the connection string.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Complete = new Dictionary<string, string?>
    {
        ["Stripe:SecretKey"] = "sk_test_production_startup",
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:From"] = "Solidarity <receipts@solidarity.example>",
        ["Organisation:Name"] = "Burton Trades Union Council",
        ["Organisation:Address"] = "1 Example Street, Burton upon Trent DE14 0AA",
        ["Site:BaseUrl"] = "https://solidarity.example",
        ["Supporters:CountingKey"] = "a-production-counting-key-for-the-test",
        ["Throttling:Key"] = "a-production-throttling-key-for-the-test",
        ["Audit:DonorKey"] = "a-production-donor-audit-key-for-the-test",
        ["DataProtection:CertificatePath"] = TestCertificate.Path,
        ["DataProtection:CertificatePassword"] = TestCertificate.Password,
    };

    public ProductionSite(string? connectionString = null)
        : this(Complete, connectionString)
    {
    }

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        connectionString is null ? settings : [.. settings, new("ConnectionStrings:Solidarity", connectionString)];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment(environmentName);
    }
}
