using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Solidarity.Web.Pages.Account;

/// <summary>
/// Accepting an invitation: choose a password and, for admins and moderators, enrol an authenticator app or a
/// passkey, in one form, so that no session exists until both are done. A link that does not work gets one plain
/// answer that says nothing about the account or why.
/// </summary>
[AllowAnonymous]
internal sealed partial class InvitationModel(Invitations invitations, SignInManager<ApplicationUser> signInManager, TimeProvider time) : PageModel
{
    public const string NoPasskeyMessage =
        "No passkey was made: your browser or device did not finish. Try again, or set up the authenticator app instead.";

    public const string PasskeyRefusedMessage =
        "The passkey could not be added: the device's answer did not match what this page asked for. Reload the page and try again, or set up the authenticator app instead.";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    /// <summary>A passkey's answer from the device, when the invitee chose one instead of the app.</summary>
    [BindProperty]
    public string? CredentialJson { get; set; }

    public string Token { get; private set; } = "";

    public bool Works { get; private set; }
    public string Email { get; private set; } = "";
    public string RoleDescription { get; private set; } = "";
    public bool NeedsAuthenticator { get; private set; }
    public string SharedKey { get; private set; } = "";
    public DateTimeOffset ExpiresAt { get; private set; }

    internal sealed class InputModel : NewPasswordInput
    {
        [StringLength(16, ErrorMessage = TypedText.TooLong)]
        public string? Code { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken) =>
        await LoadAsync(token, cancellationToken) ? Page() : Gone();

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(token, cancellationToken))
        {
            return Gone();
        }

        if (NeedsAuthenticator && !SixDigits().IsMatch(Input.Code ?? ""))
        {
            ModelState.AddModelError("Input.Code", "Enter the 6-digit code your authenticator app shows.");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        return await ShowAsync(token, await invitations.AcceptAsync(token, Input.Password, Input.Code, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// The options for navigator.credentials.create(). The password is checked first, so that one the site would
    /// refuse never leaves a passkey on the device that no account has: the page then posts the form as it is, and
    /// says what to change.
    /// </summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync(string token, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(token, cancellationToken) || !NeedsAuthenticator)
        {
            return NotFound();
        }

        if (!ModelState.IsValid || (await invitations.PasswordErrorsAsync(Email, Input.Password)).Count > 0)
        {
            return StatusCode(StatusCodes.Status422UnprocessableEntity);
        }

        return Content(await signInManager.MakePasskeyCreationOptionsAsync(await invitations.PasskeyOwnerAsync(Email)), "application/json");
    }

    /// <summary>Accepting with a passkey instead of the app's code: the password, the passkey and the link used up, all or nothing.</summary>
    public async Task<IActionResult> OnPostPasskeyAsync(string token, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(token, cancellationToken))
        {
            return Gone();
        }

        if (!NeedsAuthenticator)
        {
            ModelState.AddModelError("", "This invitation sets up no second factor: choose a password and press Set password.");
            return Page();
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        if (string.IsNullOrWhiteSpace(CredentialJson) || CredentialJson.Length > 64_000)
        {
            // Posted without a passkey when the options were refused for a password that will not do: say why.
            var passwordErrors = await invitations.PasswordErrorsAsync(Email, Input.Password);
            foreach (var (field, message) in passwordErrors)
            {
                ModelState.AddModelError(field, message);
            }

            if (passwordErrors.Count == 0)
            {
                ModelState.AddModelError("", NoPasskeyMessage);
            }

            return Page();
        }

        PasskeyAttestationResult made;
        try
        {
            made = await signInManager.PerformPasskeyAttestationAsync(CredentialJson);
        }
        catch (InvalidOperationException)
        {
            // No options were asked for in this browser, or they were used already.
            made = PasskeyAttestationResult.Fail(new PasskeyException("No passkey options were given to this browser."));
        }

        if (!made.Succeeded || !made.Passkey.IsUserVerified)
        {
            ModelState.AddModelError("", PasskeyRefusedMessage);
            return Page();
        }

        made.Passkey.Name = $"Passkey added {time.GetUtcNow():d MMMM yyyy}";
        var passkey = new NewPasskey(made.Passkey, made.UserEntity);
        return await ShowAsync(token, await invitations.AcceptAsync(token, Input.Password, passkey, cancellationToken), cancellationToken);
    }

    private async Task<IActionResult> ShowAsync(string token, Acceptance acceptance, CancellationToken cancellationToken)
    {
        switch (acceptance)
        {
            case Acceptance.Refused refused:
                foreach (var (field, message) in refused.Errors)
                {
                    ModelState.AddModelError(field, message);
                }

                return await LoadAsync(token, cancellationToken) ? Page() : Gone();
            case Acceptance.Accepted accepted when Roles.NeedsSecondFactor(accepted.Role):
                // The password and the app's code (or the passkey, which verified its user) were both proved just now:
                // a two-factor session.
                await signInManager.SignInWithClaimsAsync(accepted.User, isPersistent: false, [new Claim(AccountFlow.AmrClaim, AccountsHosting.MfaAmr)]);
                TempData[SecondFactor.RecoveryCodesKey] = accepted.RecoveryCodes;
                return RedirectToPage("/Account/RecoveryCodes");
            case Acceptance.Accepted accepted:
                await signInManager.SignInAsync(accepted.User, isPersistent: false);
                return LocalRedirect("/branch");
            default:
                return Gone();
        }
    }

    private async Task<bool> LoadAsync(string token, CancellationToken cancellationToken)
    {
        // The page carries a secret (the link, and the authenticator key): no cache may keep it.
        Response.Headers.CacheControl = "no-store";
        var view = await invitations.ViewAsync(token, cancellationToken);
        if (view is null)
        {
            return false;
        }

        Works = true;
        Token = token;
        Email = view.Email;
        RoleDescription = Invitations.RoleDescription(view.Role, view.BranchName);
        NeedsAuthenticator = view.NeedsAuthenticator;
        SharedKey = view.AuthenticatorKey is null ? "" : AccountFlow.FormatKey(view.AuthenticatorKey);
        ExpiresAt = view.ExpiresAt;
        return true;
    }

    private PageResult Gone()
    {
        Works = false;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    [GeneratedRegex(@"^\s*[0-9]{3}[\s-]?[0-9]{3}\s*$")]
    private static partial Regex SixDigits();
}
