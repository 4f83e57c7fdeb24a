using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;

namespace Solidarity.Tests.Accounts;

/// <summary>
/// A passkey as a device holds it: a P-256 key pair whose public half is stored on an account, and which answers a
/// site's challenge with a signed assertion, as navigator.credentials.get() would on http://localhost (the test
/// server's origin). It lets a test sign in with a real, checked passkey without a browser.
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

    public Guid UserId { get; }

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

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
