using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Solidarity.Core.Accounts;

namespace Solidarity.Web.Pages.Account;

[AllowAnonymous]
internal sealed class SignInTwoFactorModel(
    SignInManager<ApplicationUser> signInManager, UserManager<ApplicationUser> userManager, SignInThrottle throttle, TimeProvider time) : PageModel
{
    public const string WrongCodeMessage =
        "That code is not right, or has been used already, or there have been too many attempts: wait for the next code and enter it.";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Admins and moderators give a code at every sign-in, so they are not offered to skip it on this device.</summary>
    public bool CanRememberDevice { get; private set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter the 6-digit code from your authenticator app.")]
        [RegularExpression(@"^\s*\d{3}[\s-]?\d{3}\s*$", ErrorMessage = "Enter the 6-digit code from your authenticator app.")]
        public string Code { get; set; } = "";

        public bool RememberDevice { get; set; }
    }

    public async Task<IActionResult> OnGetAsync()
    {
        ReturnUrl = AccountFlow.LocalOrNull(Url, ReturnUrl);
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("/Account/SignIn", new { ReturnUrl });
        }

        CanRememberDevice = !await AccountStates.NeedsSecondFactorAsync(userManager, user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        ReturnUrl = AccountFlow.LocalOrNull(Url, ReturnUrl);
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("/Account/SignIn", new { ReturnUrl });
        }

        var privileged = await AccountStates.NeedsSecondFactorAsync(userManager, user);
        CanRememberDevice = !privileged;
        if (!ModelState.IsValid)
        {
            return Page();
        }

        // Codes are throttled as passwords are: six digits would otherwise fall to anyone who has the password.
        var client = HttpContext.Connection.RemoteIpAddress;
        var email = user.Email ?? user.Id.ToString();
        if (await throttle.WaitAsync(email, client, HttpContext.RequestAborted) == TimeSpan.Zero)
        {
            var result = await signInManager.TwoFactorAuthenticatorSignInAsync(
                AccountFlow.CleanCode(Input.Code), isPersistent: false, rememberClient: Input.RememberDevice && !privileged);
            if (result.Succeeded)
            {
                await AccountFlow.RecordSignInAsync(userManager, user, time);
                return LocalRedirect(AccountFlow.Landing(Url, ReturnUrl, await AccountFlow.HomeAsync(userManager, user)));
            }
        }

        await throttle.FailedAsync(email, client, HttpContext.RequestAborted);
        ModelState.AddModelError("", WrongCodeMessage);
        return Page();
    }
}
