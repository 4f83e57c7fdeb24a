namespace Solidarity.Web.Pages.Account;

[AllowAnonymous]
internal sealed class SignInRecoveryCodeModel(
    SignInManager<ApplicationUser> signInManager, UserManager<ApplicationUser> userManager, SignInThrottle throttle, TimeProvider time)
    : SignInFormModel<SignInRecoveryCodeModel.InputModel>
{
    internal sealed class InputModel
    {
        [Required(ErrorMessage = "Enter one of your recovery codes.")]
        [StringLength(32, ErrorMessage = TypedText.TooLong)]
        public string Code { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        return await signInManager.GetTwoFactorAuthenticationUserAsync() is null
            ? RedirectToPage("/Account/SignIn", new { ReturnUrl })
            : Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("/Account/SignIn", new { ReturnUrl });
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var client = HttpContext.Connection.RemoteIpAddress;
        var email = user.Email ?? user.Id.ToString();
        // Identity's recovery-code sign-in does not look at the lock that disabling an account sets: an account disabled
        // after its password was given is refused here, and its codes are left unused.
        if (await throttle.WaitAsync(email, client, HttpContext.RequestAborted) == TimeSpan.Zero && !AccountStates.IsDisabled(user, time.GetUtcNow()))
        {
            var result = await signInManager.TwoFactorRecoveryCodeSignInAsync(Input.Code.Replace(" ", "", StringComparison.Ordinal));
            if (result.Succeeded)
            {
                return await SignedInAsync(userManager, user, time);
            }
        }

        await throttle.FailedAsync(email, client, HttpContext.RequestAborted);
        ModelState.AddModelError("", "That recovery code is not right, or it has been used already, or there have been too many attempts: wait a minute and try again.");
        return Page();
    }
}
