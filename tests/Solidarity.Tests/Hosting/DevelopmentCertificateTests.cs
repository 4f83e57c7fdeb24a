using Solidarity.Web.Infrastructure.Hosting;

namespace Solidarity.Tests.Hosting;

/// <summary>`dotnet run` makes the certificate that encrypts its data-protection keys once, however many processes start at once.</summary>
public sealed class DevelopmentCertificateTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "solidarity-dp-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Processes_starting_together_on_a_fresh_clone_all_use_one_certificate()
    {
        // A thread each, released together, so that every one finds no certificate and makes its own.
        const int Processes = 3;
        using var together = new Barrier(Processes);
        var thumbprints = new string?[Processes];
        var failures = new Exception?[Processes];
        var threads = Enumerable.Range(0, Processes).Select(i => new Thread(() =>
        {
            together.SignalAndWait();
            try
            {
                using var certificate = DataProtectionHosting.DevelopmentCertificate(_folder);
                thumbprints[i] = certificate.Thumbprint;
            }
            catch (Exception e)
            {
                failures[i] = e;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.All(failures, Assert.Null);
        Assert.Single(thumbprints.Distinct());
        Assert.Equal(["keys.pfx"], Directory.GetFiles(_folder).Select(Path.GetFileName));
        using var again = DataProtectionHosting.DevelopmentCertificate(_folder);
        Assert.Equal(thumbprints[0], again.Thumbprint);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
