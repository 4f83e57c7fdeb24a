using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace Solidarity.Web.Pages.Account;

/// <summary>
/// Authenticator keys and recovery codes are encrypted with data protection before they are stored (on the account,
/// and on an invitation not yet accepted), so a copy of the database alone cannot produce anyone's codes. Stored values
/// carry a prefix; one without it was stored before encryption and is read as it is, and is encrypted the next time it
/// is written (a new app, new codes, a recovery code used).
/// </summary>
internal sealed class SecondFactorSecrets(IDataProtectionProvider protection)
{
    private const string Prefix = "dp1:";

    private readonly IDataProtector _protector = protection.CreateProtector("Solidarity.Accounts.SecondFactor");

    public string Protect(string value) => Prefix + _protector.Protect(value);

    public string Unprotect(string stored) =>
        stored.StartsWith(Prefix, StringComparison.Ordinal) ? _protector.Unprotect(stored[Prefix.Length..]) : stored;

    public string? UnprotectOrNull(string? stored) => stored is null ? null : Unprotect(stored);
}

/// <summary>
/// Identity's store, encrypting the tokens it keeps for the second factor. Identity keeps the authenticator key and the
/// recovery codes as tokens of its own "[AspNetUserStore]" provider, and reads and writes every one of them through
/// these two methods (the key, the codes, redeeming and counting codes), so encrypting here covers them all.
/// </summary>
internal sealed class SolidarityUserStore(SolidarityDbContext db, SecondFactorSecrets secrets, IdentityErrorDescriber? describer = null)
    : UserStore<ApplicationUser, IdentityRole<Guid>, SolidarityDbContext, Guid>(db, describer)
{
    public const string StoreProvider = "[AspNetUserStore]";

    public override Task SetTokenAsync(ApplicationUser user, string loginProvider, string name, string? value, CancellationToken cancellationToken) =>
        base.SetTokenAsync(user, loginProvider, name, loginProvider == StoreProvider && value is not null ? secrets.Protect(value) : value, cancellationToken);

    public override async Task<string?> GetTokenAsync(ApplicationUser user, string loginProvider, string name, CancellationToken cancellationToken)
    {
        var stored = await base.GetTokenAsync(user, loginProvider, name, cancellationToken);
        return loginProvider == StoreProvider ? secrets.UnprotectOrNull(stored) : stored;
    }
}
