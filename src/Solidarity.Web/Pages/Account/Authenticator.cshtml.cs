using System.Text.Encodings.Web;
using QRCoder;

namespace Solidarity.Web.Pages.Account;

/// <summary>
/// Enrols an authenticator app (TOTP): the key is shown as text and as a QR code, and only a code the app
/// produced turns the second factor on. Resetting or renewing needs a session that itself used a second factor.
/// Admins and moderators enrol through their invitation, never here on a password alone: a session of theirs may
/// set up an app here only to replace one, having signed in with it.
/// </summary>
[Authorize]
internal sealed class AuthenticatorModel(
    UserManager<ApplicationUser> userManager,
    IUserStore<ApplicationUser> userStore,
    SignInManager<ApplicationUser> signInManager,
    SolidarityDbContext db,
    AuditTrail audit,
    UrlEncoder urlEncoder,
    TimeProvider time) : SignInFormModel<AuthenticatorModel.InputModel>
{
    public const string Issuer = "Solidarity";

    public const string LastAdminMessage =
        "You are the only admin who can sign in, so your app was not replaced: until you have set up the new one, nobody " +
        "could sign in to the admin area. Add a passkey first (Passkeys, in the menu), or invite a second admin, then try again.";

    public bool IsEnabled { get; private set; }

    /// <summary>A passkey is the second factor (with or without the app): recovery codes stand in for it too.</summary>
    public bool HasPasskey { get; private set; }
    public bool SessionUsedSecondFactor { get; private set; }
    public string Home { get; private set; } = "/";

    /// <summary>An admin or moderator without a second factor, in a session that used none: only an invitation helps.</summary>
    public bool MustUseInvitation { get; private set; }
    public int RecoveryCodesLeft { get; private set; }
    public string SharedKey { get; private set; } = "";
    public string QrCodeDataUri { get; private set; } = "";

    [TempData]
    public string? Notice { get; set; }

    internal sealed class InputModel
    {
        [Required(ErrorMessage = "Enter the 6-digit code your authenticator app shows.")]
        [RegularExpression(@"^\s*\d{3}[\s-]?\d{3}\s*$", ErrorMessage = "Enter the 6-digit code your authenticator app shows.")]
        public string Code { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await userManager.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        await LoadAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await userManager.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        if (await userManager.GetTwoFactorEnabledAsync(user))
        {
            return RedirectToPage(new { ReturnUrl });
        }

        if (await MustUseInvitationAsync(user))
        {
            return Forbid();
        }

        if (!ModelState.IsValid)
        {
            await LoadAsync(user);
            return Page();
        }

        if (!await SecondFactor.VerifyAsync(userManager, user, Input.Code))
        {
            ModelState.AddModelError("", "That code did not match. Check that the app was set up with the key shown here, and enter its newest code.");
            await LoadAsync(user);
            return Page();
        }

        string[] codes;
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            RecordForAdmin(user, AuditActions.AuthenticatorEnrolled, await userManager.IsInRoleAsync(user, Roles.Admin));
            codes = await SecondFactor.TurnOnAsync(userManager, user);
            await transaction.CommitAsync();
        }

        // The password was checked when this session began and the authenticator's code has just been checked:
        // that is a two-factor sign-in, so the new cookie says so.
        await signInManager.SignInWithClaimsAsync(user, isPersistent: false, [new Claim(AccountFlow.AmrClaim, "mfa")]);
        TempData[SecondFactor.RecoveryCodesKey] = codes;
        return RedirectToPage("/Account/RecoveryCodes", new { ReturnUrl });
    }

    public async Task<IActionResult> OnPostResetAsync()
    {
        var user = await userManager.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        if (!AccountFlow.UsedSecondFactor(User))
        {
            return Forbid();
        }

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            // Between the reset and the new app's first code the account has no app: left there, its next sign-in is
            // refused. For the only admin who can sign in, with no passkey to fall back on, that is the whole site.
            var isAdmin = await userManager.IsInRoleAsync(user, Roles.Admin);
            if (isAdmin && !await SecondFactor.HasPasskeyAsync(userManager, user))
            {
                await AccountStates.LockAdminsAsync(db, HttpContext.RequestAborted);
                if (await AccountStates.IsLastActiveAdminAsync(db, user.Id, time.GetUtcNow(), HttpContext.RequestAborted))
                {
                    Notice = LastAdminMessage;
                    return RedirectToPage(new { ReturnUrl });
                }
            }

            RecordForAdmin(user, AuditActions.AuthenticatorReset, isAdmin);
            await userManager.SetTwoFactorEnabledAsync(user, false);
            await userManager.ResetAuthenticatorKeyAsync(user);
            await transaction.CommitAsync();
        }

        await signInManager.RefreshSignInAsync(user);
        Notice = "Your old authenticator app no longer works. Set up the new one below.";
        return RedirectToPage(new { ReturnUrl });
    }

    public async Task<IActionResult> OnPostRecoveryCodesAsync()
    {
        var user = await userManager.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        if (!AccountFlow.UsedSecondFactor(User) || !await SecondFactor.IsEnrolledAsync(userManager, user))
        {
            return Forbid();
        }

        string[] codes;
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            RecordForAdmin(user, AuditActions.RecoveryCodesRenewed, await userManager.IsInRoleAsync(user, Roles.Admin));
            codes = (await userManager.GenerateNewTwoFactorRecoveryCodesAsync(user, SecondFactor.RecoveryCodeCount))?.ToArray() ?? [];
            await transaction.CommitAsync();
        }

        TempData[SecondFactor.RecoveryCodesKey] = codes;
        return RedirectToPage("/Account/RecoveryCodes");
    }

    /// <summary>For a session that skipped the code on a remembered device: forget it, so the next sign-in asks.</summary>
    public async Task<IActionResult> OnPostForgetDeviceAsync()
    {
        await signInManager.ForgetTwoFactorClientAsync();
        await signInManager.SignOutAsync();
        return RedirectToPage("/Account/SignIn", new { ReturnUrl = "/account/authenticator" });
    }

    private void RecordForAdmin(ApplicationUser user, string action, bool isAdmin)
    {
        if (isAdmin)
        {
            audit.Record(User, action, "User", user.Id.ToString(), new { user.Email });
        }
    }

    private async Task LoadAsync(ApplicationUser user)
    {
        Response.Headers.CacheControl = "no-store";
        IsEnabled = await userManager.GetTwoFactorEnabledAsync(user);
        Home = await AccountFlow.HomeAsync(userManager, user);
        SessionUsedSecondFactor = AccountFlow.UsedSecondFactor(User);
        HasPasskey = await SecondFactor.HasPasskeyAsync(userManager, user);
        RecoveryCodesLeft = await userManager.CountRecoveryCodesAsync(user);
        if (IsEnabled)
        {
            return;
        }

        MustUseInvitation = await MustUseInvitationAsync(user);
        if (MustUseInvitation)
        {
            return;
        }

        var key = await userManager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            // The account's first key is stored without changing the security stamp, as UserManager's reset would, ending
            // every other session of the account: no sign-in depends on a key until a code from it is checked, and this
            // runs on a GET, which any site can send a signed-in browser to.
            key = userManager.GenerateNewAuthenticatorKey();
            await ((IUserAuthenticatorKeyStore<ApplicationUser>)userStore).SetAuthenticatorKeyAsync(user, key, HttpContext.RequestAborted);
            if (!(await userManager.UpdateAsync(user)).Succeeded)
            {
                throw new InvalidOperationException("The account changed while its first authenticator key was being stored; open the page again.");
            }
        }

        SharedKey = AccountFlow.FormatKey(key);
        var uri = $"otpauth://totp/{urlEncoder.Encode(Issuer)}:{urlEncoder.Encode(user.Email ?? user.UserName ?? "")}" +
                  $"?secret={key}&issuer={urlEncoder.Encode(Issuer)}&digits=6";
        QrCodeDataUri = "data:image/png;base64," + Convert.ToBase64String(QrPng(uri));
    }

    /// <summary>
    /// No trust on first use: whoever has an admin's or moderator's password must not be the one to choose the app
    /// that proves the second factor. Only a session that signed in with the app being replaced may set up another.
    /// </summary>
    private async Task<bool> MustUseInvitationAsync(ApplicationUser user) =>
        !AccountFlow.UsedSecondFactor(User)
        && !await userManager.GetTwoFactorEnabledAsync(user)
        && await AccountStates.NeedsSecondFactorAsync(userManager, user);

    private static byte[] QrPng(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return new PngByteQRCode(data).GetGraphic(pixelsPerModule: 5);
    }
}
