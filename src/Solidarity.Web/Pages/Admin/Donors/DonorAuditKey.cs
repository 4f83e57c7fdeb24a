using Solidarity.Web.Infrastructure.Hashing;

namespace Solidarity.Web.Pages.Admin.Donors;

/// <summary>
/// How the audit log names a donor whose data was exported or erased: an HMAC of the lower-cased address under a key
/// from configuration, in hex. A later request about the same address is recognised by it, while the log holds
/// nothing that a guessed address could be tested against without the key, which the database never holds.
/// </summary>
internal sealed class DonorAuditKey(IConfiguration configuration)
{
    /// <summary>The secret behind the audit log's name for a donor, used for nothing else.</summary>
    public static readonly HashSecret Secret = new("Audit:DonorKey", "development-only-donor-audit-key");

    private readonly KeyedHash _hash = new(configuration, Secret);

    public string For(string email) => _hash.Hex(DonorEmail.Normalise(email));
}
