using Solidarity.Web.Infrastructure.Hashing;
using Solidarity.Web.Pages.Admin.Donors;

namespace Solidarity.Web.Infrastructure.Hosting;

/// <summary>
/// The settings without which a Production process, whatever its role and even for `migrate`, refuses to start. Each is
/// checked where it is used (DatabaseHosting, SiteHosting, StripeHosting, EmailHosting, ReceiptsHosting, LedgerHosting,
/// ThrottlingHosting, DonorsHosting, DataProtectionHosting); they are listed here
/// as well so that a deployment can be checked against one list: the tests hold every entry to a refusal at start-up,
/// and the Kubernetes manifests to providing them all. A new refusal at start-up adds its setting here.
/// </summary>
internal static class ProductionSettings
{
    public static readonly IReadOnlyList<string> Required =
    [
        $"ConnectionStrings:{DatabaseHosting.ConnectionStringName}",
        SiteAddress.Setting,
        $"{StripeSettings.Section}:{nameof(StripeSettings.SecretKey)}",
        $"{StripeSettings.Section}:{nameof(StripeSettings.WebhookSecret)}",
        $"{SmtpSettings.Section}:{nameof(SmtpSettings.Host)}",
        $"{SmtpSettings.Section}:{nameof(SmtpSettings.From)}",
        Organisation.NameSetting,
        Organisation.AddressSetting,
        SupporterKeys.Secret.Setting,
        Throttle.Secret.Setting,
        DonorAuditKey.Secret.Setting,
        DataProtectionHosting.CertificatePathSetting,
    ];

    /// <summary>
    /// Whether the required settings are enforced: in every environment but Development and the test suite's, so that a
    /// staging or demonstration site, which may hold real people's data, never falls back to a default published in the
    /// source (a hashing secret, unencrypted sign-in keys, a mail server that does not send).
    /// </summary>
    public static bool Enforced(IHostEnvironment environment) => SiteCookies.Hardened(environment);

    /// <summary>
    /// Stops a process at start-up, outside Development and the tests (<see cref="Enforced"/>), when <paramref name="secret"/>, the secret of a keyed hash, is missing:
    /// the development default is published in the source, and with it anyone could test a guess against a stored hash.
    /// </summary>
    public static void RequireSecret(WebApplicationBuilder builder, HashSecret secret, string why)
    {
        var setting = secret.Setting;
        if (Enforced(builder.Environment) && string.IsNullOrWhiteSpace(builder.Configuration[setting]))
        {
            throw new InvalidOperationException(
                $"{setting} is not set: set {EnvironmentVariable(setting)} to a long random secret (e.g. the output of `openssl rand -hex 32`). {why}");
        }
    }

    /// <summary>The environment variable that sets <paramref name="setting"/>: "Smtp__Host" for "Smtp:Host".</summary>
    public static string EnvironmentVariable(string setting) => setting.Replace(":", "__", StringComparison.Ordinal);
}
