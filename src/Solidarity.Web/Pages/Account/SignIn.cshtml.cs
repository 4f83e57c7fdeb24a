namespace Solidarity.Web.Pages.Account;

[AllowAnonymous]
internal sealed class SignInModel(
    SignInManager<ApplicationUser> signInManager,
    UserManager<ApplicationUser> userManager,
    SignInThrottle throttle,
    TimeProvider time,
    SolidarityDbContext db,
    AuditTrail audit) : SignInFormModel<SignInModel.InputModel>
{
    /// <summary>The one answer to a passkey that did not sign anyone in, whatever the reason.</summary>
    public const string PasskeyFailedMessage =
        "That passkey did not sign you in, or there have been too many attempts: wait a minute and try again, or sign in with your password.";

    /// <summary>
    /// The one answer to a wrong password, an unknown address and a sign-in slowed after failures, so that none of
    /// them tells anyone which addresses have accounts or which are being attacked.
    /// </summary>
    public const string IncorrectMessage =
        "Email or password is incorrect, or there have been too many attempts: check them, wait a minute, and try again.";

    /// <summary>Only to someone who gave the right password: an admin or moderator whose second factor is not set up.</summary>
    public const string NoSecondFactorMessage =
        "Your account needs an authenticator app or a passkey, and neither is set up. Use the link in your invitation email, or ask an admin to reset your second factor, which sends you a new invitation.";

    [TempData]
    public string? Notice { get; set; }

    internal sealed class InputModel : AccountEmailInput
    {
        [Required(ErrorMessage = "Enter your password.")]
        [DataType(DataType.Password)]
        [StringLength(512, ErrorMessage = TypedText.TooLong)]
        public string Password { get; set; } = "";
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var client = HttpContext.Connection.RemoteIpAddress;
        var cancellationToken = HttpContext.RequestAborted;
        var user = await throttle.WaitAsync(Input.Email, client, cancellationToken) > TimeSpan.Zero
            ? null
            : await userManager.FindByEmailAsync(Input.Email);
        if (user is null || AccountStates.IsDisabled(user, time.GetUtcNow()))
        {
            // Hash anyway, so an unknown address (or a slowed one) answers as slowly as a wrong password; so does a disabled
            // account, which Identity would refuse before hashing, and the timing would tell the address once had one.
            userManager.PasswordHasher.HashPassword(new ApplicationUser(), Input.Password);
            return await FailedAsync(client);
        }

        if (!await SecondFactor.IsEnrolledAsync(userManager, user) && await AccountStates.NeedsSecondFactorAsync(userManager, user))
        {
            // No trust on first use: a password alone never opens a session for an admin or moderator, not even one
            // to enrol an app with. Counted as a failure all the same, so this cannot be used to test passwords faster.
            var check = await signInManager.CheckPasswordSignInAsync(user, Input.Password, lockoutOnFailure: false);
            if (!check.Succeeded)
            {
                return await FailedAsync(client);
            }

            await throttle.FailedAsync(Input.Email, client, cancellationToken);
            ModelState.AddModelError("", NoSecondFactorMessage);
            return Page();
        }

        var result = await signInManager.PasswordSignInAsync(user, Input.Password, isPersistent: false, lockoutOnFailure: false);
        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("/Account/SignInTwoFactor", new { ReturnUrl });
        }

        if (!result.Succeeded)
        {
            return await FailedAsync(client);
        }

        if (await AccountStates.NeedsSecondFactorAsync(userManager, user))
        {
            // A device remembered before the account became an admin or moderator skipped the code; they give one every time.
            await signInManager.ForgetTwoFactorClientAsync();
            await signInManager.SignOutAsync();
            Notice = "Admins and moderators confirm every sign-in with their authenticator app or a passkey. Sign in again.";
            return RedirectToPage("/Account/SignIn", new { ReturnUrl });
        }

        return await SignedInAsync(userManager, user, time);
    }

    /// <summary>The options for navigator.credentials.get(): any passkey of this site's, the account found from it.</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync() =>
        Content(await signInManager.MakePasskeyRequestOptionsAsync(null), "application/json");

    /// <summary>
    /// A sign-in with a passkey: both factors at once, since the device verified its user. Refused as a password is
    /// while this client is being slowed, and every failure is counted against the client.
    /// </summary>
    public async Task<IActionResult> OnPostPasskeyAsync(string? credentialJson)
    {
        ModelState.Clear();
        var client = HttpContext.Connection.RemoteIpAddress;
        var cancellationToken = HttpContext.RequestAborted;
        if (string.IsNullOrWhiteSpace(credentialJson) || credentialJson.Length > 64_000
            || await throttle.WaitForClientAsync(client, cancellationToken) > TimeSpan.Zero)
        {
            return await PasskeyFailedAsync(client);
        }

        PasskeyAssertionResult<ApplicationUser> assertion;
        try
        {
            assertion = await signInManager.PerformPasskeyAssertionAsync(credentialJson);
        }
        catch (InvalidOperationException)
        {
            // No options were asked for in this browser, or they were used already.
            return await PasskeyFailedAsync(client);
        }

        if (!assertion.Succeeded || !assertion.Passkey.IsUserVerified
            || !await signInManager.CanSignInAsync(assertion.User)
            || AccountStates.IsDisabled(assertion.User, time.GetUtcNow()))
        {
            return await PasskeyFailedAsync(client);
        }

        var user = assertion.User;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // The passkey's signature count and flags move on with every use.
            if (!(await userManager.AddOrUpdatePasskeyAsync(user, assertion.Passkey)).Succeeded)
            {
                return await PasskeyFailedAsync(client);
            }

            audit.RecordAs(user.Id, user.Email ?? user.Id.ToString(), AuditActions.PasskeySignIn, "User", user.Id.ToString(), new { user.Email, assertion.Passkey.Name });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await Passkeys.SignInAsync(signInManager, user);
        return await SignedInAsync(userManager, user, time);
    }

    private async Task<PageResult> PasskeyFailedAsync(System.Net.IPAddress? client)
    {
        await throttle.FailedFromClientAsync(client, HttpContext.RequestAborted);
        ModelState.AddModelError("", PasskeyFailedMessage);
        return Page();
    }

    private async Task<PageResult> FailedAsync(System.Net.IPAddress? client)
    {
        await throttle.FailedAsync(Input.Email, client, HttpContext.RequestAborted);
        ModelState.AddModelError("", IncorrectMessage);
        return Page();
    }
}
