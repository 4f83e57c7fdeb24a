using Solidarity.Web.Infrastructure.Hashing;

namespace Solidarity.Web.Pages.Admin.Donors;

internal sealed class DonorAuditSettings
{
    public const string Section = "Audit";

    public const string DonorKeySetting = $"{Section}:{nameof(DonorKey)}";

    /// <summary>The secret behind the audit log's name for a donor, used for nothing else.</summary>
    public string? DonorKey { get; set; }
}

/// <summary>
/// How the audit log names a donor whose data was exported or erased: an HMAC of the lower-cased address under a key
/// from configuration, in hex. A later request about the same address is recognised by it, while the log holds
/// nothing that a guessed address could be tested against without the key, which the database never holds.
/// </summary>
internal sealed class DonorAuditKey(IOptions<DonorAuditSettings> settings)
{
    /// <summary>Development and the test suite use this; Production refuses to start without a key of its own.</summary>
    public const string DevelopmentKey = "development-only-donor-audit-key";

    private readonly KeyedHash _hash = new(settings.Value.DonorKey, DevelopmentKey);

    public string For(string email) => _hash.Hex(DonorEmail.Normalise(email));
}
