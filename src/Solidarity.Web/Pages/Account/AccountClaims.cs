namespace Solidarity.Web.Pages.Account;

/// <summary>
/// The session's claims: Identity's (id, name, roles, security stamp) and whether the account has a second factor, so
/// the branch portal can remind an officer without one on every page without asking the database (an authenticator app
/// or a passkey: either is asked for after the password). The claims are made
/// anew at each sign-in and each security-stamp check, so enrolling shows at once.
/// </summary>
internal sealed class AccountClaims(
    UserManager<ApplicationUser> users, RoleManager<IdentityRole<Guid>> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<ApplicationUser, IdentityRole<Guid>>(users, roles, options)
{
    public const string SecondFactorClaim = "solidarity:second-factor";

    public static bool HasSecondFactor(ClaimsPrincipal principal) => principal.HasClaim(SecondFactorClaim, "on");

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (await SecondFactor.IsEnrolledAsync(UserManager, user))
        {
            identity.AddClaim(new Claim(SecondFactorClaim, "on"));
        }

        return identity;
    }
}
