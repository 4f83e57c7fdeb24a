namespace Solidarity.Web.Pages.Account;

/// <summary>Signing out is a POST with an antiforgery token, so no link or image on another site can do it.</summary>
[AllowAnonymous]
internal sealed class SignOutModel(SignInManager<ApplicationUser> signInManager, UserManager<ApplicationUser> userManager) : PageModel
{
    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? Page() : Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        // A new security stamp ends every copy of this session's cookie (one copied from a shared computer, say) at its
        // next check, not only the one this browser holds.
        if (await userManager.GetUserAsync(User) is { } user)
        {
            await userManager.UpdateSecurityStampAsync(user);
        }

        await signInManager.SignOutAsync();
        return Redirect("/");
    }
}
