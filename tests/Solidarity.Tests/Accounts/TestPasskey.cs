using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Testing;

namespace Solidarity.Tests.Accounts;

/// <summary>
/// A passkey as a device holds it: a P-256 key pair whose public half is stored on an account (by the test, or by the
/// site from the attestation <see cref="Attest"/> makes, as navigator.credentials.create() would), and which answers a
/// site's challenge with a signed assertion, as navigator.credentials.get() would on http://localhost (the test
/// server's origin). It lets a test make and use real, checked passkeys without a browser.
/// </summary>
public sealed class TestPasskey : IDisposable
{
    public const string Origin = "http://localhost";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private uint _signCount;

    private TestPasskey(Guid userId, byte[] credentialId)
    {
        UserId = userId;
        CredentialId = credentialId;
    }

    public Guid UserId { get; private set; }

    public byte[] CredentialId { get; }

    /// <summary>Makes a passkey and stores its public key on <paramref name="account"/>, as adding one on the site would.</summary>
    public static async Task<TestPasskey> AddToAsync(WebApplicationFactory<Program> app, TestAccount account, string name = "Test phone")
    {
        var passkey = new TestPasskey(account.Id, RandomNumberGenerator.GetBytes(16));
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = (await users.FindByIdAsync(account.Id.ToString()))!;
        var info = new UserPasskeyInfo(
            passkey.CredentialId, passkey.CosePublicKey(), DateTimeOffset.UtcNow, signCount: 0, transports: ["internal"],
            isUserVerified: true, isBackupEligible: false, isBackedUp: false, attestationObject: [0], clientDataJson: [0])
        {
            Name = name,
        };
        var added = await users.AddOrUpdatePasskeyAsync(user, info);
        Assert.True(added.Succeeded, string.Join("; ", added.Errors.Select(e => e.Description)));
        return passkey;
    }

    /// <summary>A passkey not stored anywhere yet: <see cref="Attest"/> gives the site its public key.</summary>
    public static TestPasskey New() => new(Guid.Empty, RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The answer to creation options (the JSON a page's options handler gave): a "none" attestation of this key for
    /// the user the options name, as the browser posts it back.
    /// </summary>
    public string Attest(string creationOptionsJson)
    {
        using var options = JsonDocument.Parse(creationOptionsJson);
        var root = options.RootElement;
        var challenge = root.GetProperty("challenge").GetString()!;
        var rpId = root.GetProperty("rp").GetProperty("id").GetString()!;
        UserId = Guid.Parse(Encoding.UTF8.GetString(FromBase64Url(root.GetProperty("user").GetProperty("id").GetString()!)));
        var clientData = JsonSerializer.SerializeToUtf8Bytes(new { type = "webauthn.create", challenge, origin = Origin, crossOrigin = false });

        byte[] credentialIdLength = [0, (byte)CredentialId.Length];
        byte[] authenticatorData =
        [
            .. SHA256.HashData(Encoding.UTF8.GetBytes(rpId)),
            0x01 | 0x04 | 0x40, // the user was present and verified; a credential follows
            0, 0, 0, 0, // the signature count
            .. new byte[16], // no AAGUID
            .. credentialIdLength,
            .. CredentialId,
            .. CosePublicKey(),
        ];
        byte[] attestationObject =
        [
            0xA3, // a map of three
            0x63, .. "fmt"u8, 0x64, .. "none"u8,
            0x67, .. "attStmt"u8, 0xA0,
            0x68, .. "authData"u8, 0x58, (byte)authenticatorData.Length, .. authenticatorData,
        ];

        return JsonSerializer.Serialize(new
        {
            id = Base64Url(CredentialId),
            rawId = Base64Url(CredentialId),
            type = "public-key",
            response = new
            {
                clientDataJSON = Base64Url(clientData),
                attestationObject = Base64Url(attestationObject),
                transports = new[] { "internal" },
            },
            clientExtensionResults = new { },
        });
    }

    /// <summary>The answer to request options (the JSON a page's options handler gave), as the browser posts it back.</summary>
    public string Answer(string requestOptionsJson)
    {
        using var options = JsonDocument.Parse(requestOptionsJson);
        var challenge = options.RootElement.GetProperty("challenge").GetString()!;
        var rpId = options.RootElement.GetProperty("rpId").GetString()!;
        var clientData = JsonSerializer.SerializeToUtf8Bytes(new { type = "webauthn.get", challenge, origin = Origin, crossOrigin = false });

        var authenticatorData = new byte[37];
        SHA256.HashData(Encoding.UTF8.GetBytes(rpId)).CopyTo(authenticatorData, 0);
        authenticatorData[32] = 0x01 | 0x04; // the user was present, and verified
        BinaryPrimitives.WriteUInt32BigEndian(authenticatorData.AsSpan(33), ++_signCount);
        var signature = _key.SignData([.. authenticatorData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        return JsonSerializer.Serialize(new
        {
            id = Base64Url(CredentialId),
            rawId = Base64Url(CredentialId),
            type = "public-key",
            response = new
            {
                clientDataJSON = Base64Url(clientData),
                authenticatorData = Base64Url(authenticatorData),
                signature = Base64Url(signature),
                userHandle = Base64Url(Encoding.UTF8.GetBytes(UserId.ToString())),
            },
            clientExtensionResults = new { },
        });
    }

    public void Dispose() => _key.Dispose();

    /// <summary>The public key as a COSE_Key (EC2, P-256, ES256), the form WebAuthn hands a site and Identity stores.</summary>
    private byte[] CosePublicKey()
    {
        var point = _key.ExportParameters(includePrivateParameters: false).Q;
        return
        [
            0xA5, // a map of five
            0x01, 0x02, // kty: EC2
            0x03, 0x26, // alg: -7 (ES256)
            0x20, 0x01, // crv: P-256
            0x21, 0x58, 0x20, .. point.X!, // x
            0x22, 0x58, 0x20, .. point.Y!, // y
        ];
    }

    private static byte[] FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
