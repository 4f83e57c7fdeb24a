using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Solidarity.Testing;

/// <summary>
/// Self-signed certificates: one in a PKCS#12 file, as an operator makes with openssl, for the data-protection keys of a
/// Production site, and one for a loopback mail server.
/// </summary>
public static class TestCertificate
{
    public const string Password = "a-certificate-password-for-the-test";

    private static readonly Lazy<string> File = new(Create);

    public static string Path => File.Value;

    /// <summary>A self-signed certificate for "localhost", as an organisation's own mail relay might have.</summary>
    public static X509Certificate2 ForMailServer()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        // Exported and loaded again, so the server's TLS stream can use the private key on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    private static string Create()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Solidarity data protection (tests)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"solidarity-test-{Environment.ProcessId}-{Guid.NewGuid():N}.pfx");
        System.IO.File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }
}
