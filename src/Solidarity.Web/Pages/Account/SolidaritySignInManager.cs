using Microsoft.AspNetCore.Authentication;

namespace Solidarity.Web.Pages.Account;

/// <summary>
/// Identity's sign-in, with a passkey counted as a second factor: a password sign-in of an account that has a passkey
/// but no authenticator app goes on to the two-factor page, as one with an app does, instead of signing in on the
/// password alone.
/// </summary>
internal sealed class SolidaritySignInManager(
    UserManager<ApplicationUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<ApplicationUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<ApplicationUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<ApplicationUser> confirmation)
    : SignInManager<ApplicationUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> IsTwoFactorEnabledAsync(ApplicationUser user) =>
        await base.IsTwoFactorEnabledAsync(user) || await SecondFactor.HasPasskeyAsync(UserManager, user);
}
