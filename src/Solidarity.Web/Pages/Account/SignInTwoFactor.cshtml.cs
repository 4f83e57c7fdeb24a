using System.Text.Json;
using Microsoft.AspNetCore.Authentication;

namespace Solidarity.Web.Pages.Account;

/// <summary>
/// The second step after a right password: a code from the authenticator app, or one of the account's passkeys (or,
/// from its own page, a recovery code). Either signs in with the second factor's mark, as the admin area needs.
/// </summary>
[AllowAnonymous]
internal sealed class SignInTwoFactorModel(
    SignInManager<ApplicationUser> signInManager,
    UserManager<ApplicationUser> userManager,
    IPasskeyHandler<ApplicationUser> passkeyHandler,
    SignInThrottle throttle,
    SolidarityDbContext db,
    AuditTrail audit,
    TimeProvider time) : SignInFormModel<SignInTwoFactorModel.InputModel>
{
    public const string WrongCodeMessage =
        "That code is not right, or has been used already, or there have been too many attempts: wait for the next code and enter it.";

    public const string PasskeyFailedMessage =
        "That passkey did not confirm your sign-in, or there have been too many attempts: wait a minute and try again.";

    /// <summary>Only to someone who gave this account's password, so it tells them nothing they could not find out.</summary>
    public const string OtherAccountsPasskeyMessage =
        "That passkey belongs to another account, not to the one whose password you gave. Use a passkey you added to this account.";

    /// <summary>
    /// The challenge of a passkey asked for on this page, kept in Identity's two-factor cookie beside the account that
    /// gave its password: Identity's own passkey calls keep their state in that same cookie, and would replace it.
    /// </summary>
    private const string PasskeyStateItem = ".solidarity.passkey-second-factor";

    /// <summary>Admins and moderators give a second factor at every sign-in, so they are not offered to skip it on this device.</summary>
    public bool CanRememberDevice { get; private set; }

    public bool HasApp { get; private set; }

    public bool HasPasskey { get; private set; }

    public bool HasRecoveryCodes { get; private set; }

    internal sealed class InputModel
    {
        [Required(ErrorMessage = "Enter the 6-digit code from your authenticator app.")]
        [RegularExpression(@"^\s*\d{3}[\s-]?\d{3}\s*$", ErrorMessage = "Enter the 6-digit code from your authenticator app.")]
        public string Code { get; set; } = "";

        public bool RememberDevice { get; set; }
    }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("/Account/SignIn", new { ReturnUrl });
        }

        await LoadAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("/Account/SignIn", new { ReturnUrl });
        }

        var privileged = await LoadAsync(user);
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
                return await SignedInAsync(userManager, user, time);
            }
        }

        await throttle.FailedAsync(email, client, HttpContext.RequestAborted);
        ModelState.AddModelError("", WrongCodeMessage);
        return Page();
    }

    /// <summary>
    /// The options for navigator.credentials.get(): only the passkeys of the account that gave its password, with a
    /// challenge bound to that account.
    /// </summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync()
    {
        var pending = await HttpContext.AuthenticateAsync(IdentityConstants.TwoFactorUserIdScheme);
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null || pending.Principal is null || pending.Properties is null)
        {
            return BadRequest();
        }

        var options = await passkeyHandler.MakeRequestOptionsAsync(user, HttpContext);
        pending.Properties.Items[PasskeyStateItem] = options.AssertionState;
        await HttpContext.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, pending.Principal, pending.Properties);
        return Content(options.RequestOptionsJson, "application/json");
    }

    /// <summary>
    /// The second step with a passkey. It must be one of the account's own: a passkey of another account is refused,
    /// and signs neither account in. Failures are counted as wrong codes are.
    /// </summary>
    public async Task<IActionResult> OnPostPasskeyAsync(string? credentialJson)
    {
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("/Account/SignIn", new { ReturnUrl });
        }

        await LoadAsync(user);
        ModelState.Clear();
        var state = await TakePasskeyStateAsync();
        var client = HttpContext.Connection.RemoteIpAddress;
        var email = user.Email ?? user.Id.ToString();
        var cancellationToken = HttpContext.RequestAborted;
        if (state is null || string.IsNullOrWhiteSpace(credentialJson) || credentialJson.Length > 64_000
            || await throttle.WaitAsync(email, client, cancellationToken) > TimeSpan.Zero)
        {
            return await PasskeyFailedAsync(email, PasskeyFailedMessage);
        }

        var assertion = await passkeyHandler.PerformAssertionAsync(
            new PasskeyAssertionContext { HttpContext = HttpContext, CredentialJson = credentialJson, AssertionState = state });
        if (!assertion.Succeeded || assertion.User.Id != user.Id)
        {
            return await PasskeyFailedAsync(email, await IsAnotherAccountsAsync(credentialJson, user) ? OtherAccountsPasskeyMessage : PasskeyFailedMessage);
        }

        if (!assertion.Passkey.IsUserVerified || !await signInManager.CanSignInAsync(user) || AccountStates.IsDisabled(user, time.GetUtcNow()))
        {
            return await PasskeyFailedAsync(email, PasskeyFailedMessage);
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // The passkey's signature count and flags move on with every use.
            if (!(await userManager.AddOrUpdatePasskeyAsync(user, assertion.Passkey)).Succeeded)
            {
                return await PasskeyFailedAsync(email, PasskeyFailedMessage);
            }

            audit.RecordAs(user.Id, email, AuditActions.PasskeySignIn, "User", user.Id.ToString(), new { user.Email, assertion.Passkey.Name, afterPassword = true });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await HttpContext.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        await Passkeys.SignInAsync(signInManager, user);
        return await SignedInAsync(userManager, user, time);
    }

    /// <summary>Reads the challenge asked for on this page and removes it from the cookie, so each is answered once.</summary>
    private async Task<string?> TakePasskeyStateAsync()
    {
        var pending = await HttpContext.AuthenticateAsync(IdentityConstants.TwoFactorUserIdScheme);
        if (pending.Principal is null || pending.Properties is null || !pending.Properties.Items.Remove(PasskeyStateItem, out var state))
        {
            return null;
        }

        await HttpContext.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, pending.Principal, pending.Properties);
        return state;
    }

    /// <summary>Whether the answer came from a passkey some other account has: worth saying so in words.</summary>
    private async Task<bool> IsAnotherAccountsAsync(string credentialJson, ApplicationUser user)
    {
        try
        {
            using var answer = JsonDocument.Parse(credentialJson);
            var id = answer.RootElement.ValueKind == JsonValueKind.Object && answer.RootElement.TryGetProperty("id", out var value)
                && value.ValueKind == JsonValueKind.String
                    ? Passkeys.DecodeId(value.GetString())
                    : null;
            return id is not null && await userManager.FindByPasskeyIdAsync(id) is { } owner && owner.Id != user.Id;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private async Task<PageResult> PasskeyFailedAsync(string email, string message)
    {
        await throttle.FailedAsync(email, HttpContext.Connection.RemoteIpAddress, HttpContext.RequestAborted);
        ModelState.AddModelError("", message);
        return Page();
    }

    /// <summary>What the account can answer with; true for an admin or moderator.</summary>
    private async Task<bool> LoadAsync(ApplicationUser user)
    {
        var privileged = await AccountStates.NeedsSecondFactorAsync(userManager, user);
        CanRememberDevice = !privileged;
        HasApp = await userManager.GetTwoFactorEnabledAsync(user);
        HasPasskey = await SecondFactor.HasPasskeyAsync(userManager, user);
        HasRecoveryCodes = await userManager.CountRecoveryCodesAsync(user) > 0;
        return privileged;
    }
}
