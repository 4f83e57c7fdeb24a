namespace Solidarity.Web.Pages.Account;

/// <summary>
/// Changing one's own password: the current one first (counted as a sign-in failure when wrong, so a session left open
/// cannot be used to guess it), then a new one under Identity's rules. The new security stamp ends every other session
/// of the account within a minute; this one is renewed and keeps its second factor.
/// </summary>
[Authorize]
internal sealed class ChangePasswordModel(
    UserManager<ApplicationUser> userManager,
    SignInManager<ApplicationUser> signInManager,
    SignInThrottle throttle,
    SolidarityDbContext db,
    AuditTrail audit) : PageModel
{
    public const string WrongCurrentMessage =
        "Your current password is not right, or there have been too many attempts: check it, wait a minute, and try again.";

    public const string ChangedNotice = "Your password has been changed. Your other sessions end within a minute.";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [TempData]
    public string? Notice { get; set; }

    public string Home { get; private set; } = "/";

    /// <summary>The current password, then the new one typed twice, answered as on the other password forms.</summary>
    internal sealed class InputModel : NewPasswordInput
    {
        [Required(ErrorMessage = "Enter your current password.")]
        [DataType(DataType.Password)]
        [StringLength(512, ErrorMessage = TypedText.TooLong)]
        public string CurrentPassword { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await userManager.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        Home = await AccountFlow.HomeAsync(userManager, user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await userManager.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        Home = await AccountFlow.HomeAsync(userManager, user);
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var client = HttpContext.Connection.RemoteIpAddress;
        var email = user.Email ?? user.Id.ToString();
        var cancellationToken = HttpContext.RequestAborted;
        if (await throttle.WaitAsync(email, client, cancellationToken) > TimeSpan.Zero || !await userManager.CheckPasswordAsync(user, Input.CurrentPassword))
        {
            await throttle.FailedAsync(email, client, cancellationToken);
            ModelState.AddModelError("Input.CurrentPassword", WrongCurrentMessage);
            return Page();
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var result = await userManager.ChangePasswordAsync(user, Input.CurrentPassword, Input.Password);
            if (!result.Succeeded)
            {
                foreach (var error in result.Errors)
                {
                    ModelState.AddModelError("Input.Password", error.Description);
                }

                return Page();
            }

            audit.Record(User, AuditActions.PasswordChanged, "User", user.Id.ToString(), new { user.Email });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        // The password change gave the account a new security stamp; the cookie carries it, keeping this session's second factor.
        await signInManager.RefreshSignInAsync(user);
        Notice = ChangedNotice;
        return RedirectToPage();
    }
}
