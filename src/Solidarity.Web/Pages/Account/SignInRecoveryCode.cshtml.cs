using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Solidarity.Core.Accounts;

namespace Solidarity.Web.Pages.Account;

[AllowAnonymous]
internal sealed class SignInRecoveryCodeModel(SignInManager<ApplicationUser> signInManager, UserManager<ApplicationUser> userManager) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter one of your recovery codes.")]
        [StringLength(32)]
        public string Code { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        ReturnUrl = AccountFlow.LocalOrNull(Url, ReturnUrl);
        return await signInManager.GetTwoFactorAuthenticationUserAsync() is null
            ? RedirectToPage("/Account/SignIn", new { ReturnUrl })
            : Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        ReturnUrl = AccountFlow.LocalOrNull(Url, ReturnUrl);
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("/Account/SignIn", new { ReturnUrl });
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await signInManager.TwoFactorRecoveryCodeSignInAsync(Input.Code.Replace(" ", "", StringComparison.Ordinal));
        if (result.Succeeded)
        {
            return LocalRedirect(AccountFlow.Landing(Url, ReturnUrl, await userManager.IsInRoleAsync(user, Roles.Admin)));
        }

        ModelState.AddModelError("", result.IsLockedOut
            ? AccountFlow.LockedOutMessage(userManager.Options)
            : "That recovery code is not right, or it has been used already.");
        return Page();
    }
}
