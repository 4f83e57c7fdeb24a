using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Solidarity.Testing;

/// <summary>A self-signed certificate in a PKCS#12 file, as an operator makes with openssl, for the data-protection keys of a Production site.</summary>
public static class TestCertificate
{
    public const string Password = "a-certificate-password-for-the-test";

    private static readonly Lazy<string> File = new(Create);

    public static string Path => File.Value;

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
