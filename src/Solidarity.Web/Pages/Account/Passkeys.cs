namespace Solidarity.Web.Pages.Account;

/// <summary>
/// Passkeys (WebAuthn), kept by Identity in its passkeys table. A passkey proves both something the person has (the
/// device) and, since the site asks the device to verify its user (a PIN, a fingerprint, a face), something they are or
/// know: so a sign-in with one counts as a second factor, as an authenticator code does.
/// </summary>
internal static class Passkeys
{
    /// <summary>The relying party's id: the host of Site:BaseUrl where it is set, else the host each request came in on.</summary>
    public static string? RelyingPartyId(IConfiguration configuration) =>
        configuration[SiteAddress.Setting] is { Length: > 0 } baseUrl ? new Uri(baseUrl).Host : null;

    public static void AddPasskeys(this WebApplicationBuilder builder) =>
        builder.Services.AddOptions<IdentityPasskeyOptions>().Configure<IConfiguration>((passkeys, configuration) =>
        {
            passkeys.ServerDomain = RelyingPartyId(configuration);
            // A passkey stands for two factors only if the device checked who is holding it.
            passkeys.UserVerificationRequirement = "required";
            // Kept on the device, so that "Sign in with a passkey" needs no address typed first.
            passkeys.ResidentKeyRequirement = "required";
        });

    /// <summary>
    /// Signs the account in with the second factor's mark, as a code from an authenticator app would: Identity's own
    /// passkey sign-in marks the session as a password one, which the admin area would refuse.
    /// </summary>
    public static Task SignInAsync(SignInManager<ApplicationUser> signInManager, ApplicationUser user) =>
        signInManager.SignInWithClaimsAsync(user, isPersistent: false, [new Claim(AccountFlow.AmrClaim, AccountsHosting.MfaAmr)]);

    /// <summary>A credential id as it travels in a form: base64url, as WebAuthn writes it.</summary>
    public static string EncodeId(byte[] id) => Convert.ToBase64String(id).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[]? DecodeId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 1400)
        {
            return null;
        }

        var base64 = id.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var written) ? bytes[..written] : null;
    }
}
