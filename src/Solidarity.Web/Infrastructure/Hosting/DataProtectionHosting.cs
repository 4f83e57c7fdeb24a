using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace Solidarity.Web.Infrastructure.Hosting;

internal static class DataProtectionHosting
{
    public const string CertificatePathSetting = "DataProtection:CertificatePath";
    public const string CertificatePasswordSetting = "DataProtection:CertificatePassword";

    /// <summary>
    /// Keys in the site's database under one fixed application name, so that every web and worker process, on any
    /// machine and after any restart, reads the cookies and form tokens the others wrote. By default ASP.NET Core
    /// keeps them in the home folder and names the application after its content path, and both differ by machine.
    /// In the database the keys are encrypted with a certificate the operator gives (a PKCS#12 file and its password,
    /// never stored in the database), so that a copy of the database, a backup say, cannot forge a sign-in or read
    /// the authenticator keys; Production refuses to start without one.
    /// </summary>
    public static void AddSolidarityDataProtection(this WebApplicationBuilder builder)
    {
        var dataProtection = builder.Services.AddDataProtection()
            .SetApplicationName("Solidarity")
            .PersistKeysToDbContext<SolidarityDbContext>();
        var path = builder.Configuration[CertificatePathSetting];
        if (string.IsNullOrWhiteSpace(path))
        {
            if (ProductionSettings.Enforced(builder.Environment))
            {
                throw new InvalidOperationException(
                    $"{CertificatePathSetting} is not set: set {ProductionSettings.EnvironmentVariable(CertificatePathSetting)} to a certificate file (PKCS#12, .pfx) "
                    + $"and {ProductionSettings.EnvironmentVariable(CertificatePasswordSetting)} to its password. The keys that sign people in are kept in the "
                    + "database and encrypted with it, so that a copy of the database cannot forge a sign-in. deploy/README.md says how to make one with openssl.");
            }

            if (builder.Environment.IsDevelopment())
            {
                // dotnet run encrypts its keys as a deployment does, with a certificate of its own kept beside its database.
                var own = DevelopmentCertificate(LocalState.Folder(builder.Environment.ContentRootPath, "data-protection"));
                dataProtection.ProtectKeysWithCertificate(own).UnprotectKeysWithAnyCertificate(own);
            }

            return;
        }

        var certificate = Load(path, builder.Configuration[CertificatePasswordSetting]);

        // Decrypting looks for the certificate in the machine's certificate store unless told of it, and a container has none.
        dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
    }

    /// <summary>The certificate in <paramref name="folder"/>, made there (readable by this user only) the first time.</summary>
    internal static X509Certificate2 DevelopmentCertificate(string folder)
    {
        var path = Path.Combine(folder, "keys.pfx");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(folder);
            using var rsa = RSA.Create(3072);
            var request = new CertificateRequest("CN=Solidarity development data protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(20));
            // Two processes started together on a fresh clone (the site and its worker) may both get here: each writes a
            // file of its own and moves it into place, the first move wins, and the other uses the winner's certificate.
            var written = $"{path}.{Guid.NewGuid():N}.new";
            File.WriteAllBytes(written, made.Export(X509ContentType.Pkcs12));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(written, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            try
            {
                File.Move(written, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(written);
            }
        }

        return Load(path, null);
    }

    private static X509Certificate2 Load(string path, string? password)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"{CertificatePathSetting} ({path}) could not be read as a PKCS#12 certificate with {CertificatePasswordSetting}: {e.Message}", e);
        }

        if (!certificate.HasPrivateKey || certificate.GetRSAPrivateKey() is null)
        {
            throw new InvalidOperationException($"{CertificatePathSetting} ({path}) has no RSA private key: the keys could not be decrypted with it.");
        }

        return certificate;
    }
}
