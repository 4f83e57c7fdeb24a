using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Solidarity.Core.Accounts;
using Solidarity.Web.Infrastructure.Hosting;

namespace Solidarity.Web.Pages.Account;

/// <summary>
/// Accepting an invitation: choose a password and, for admins and moderators, enrol an authenticator app, in one
/// form, so that no session exists until both are done. A link that does not work gets one plain answer that says
/// nothing about the account or why.
/// </summary>
[AllowAnonymous]
internal sealed partial class InvitationModel(Invitations invitations, SignInManager<ApplicationUser> signInManager) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public bool Works { get; private set; }
    public string Email { get; private set; } = "";
    public string RoleDescription { get; private set; } = "";
    public bool NeedsAuthenticator { get; private set; }
    public string SharedKey { get; private set; } = "";
    public DateTimeOffset ExpiresAt { get; private set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Choose a password.")]
        [DataType(DataType.Password)]
        [StringLength(512)]
        public string Password { get; set; } = "";

        [Required(ErrorMessage = "Type the password again.")]
        [DataType(DataType.Password)]
        [Compare(nameof(Password), ErrorMessage = "The two passwords are not the same.")]
        public string ConfirmPassword { get; set; } = "";

        [StringLength(16)]
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

        switch (await invitations.AcceptAsync(token, Input.Password, Input.Code, cancellationToken))
        {
            case Acceptance.Refused refused:
                foreach (var (field, message) in refused.Errors)
                {
                    ModelState.AddModelError(field, message);
                }

                return await LoadAsync(token, cancellationToken) ? Page() : Gone();
            case Acceptance.Accepted accepted when Roles.NeedsSecondFactor(accepted.Role):
                // The password and the app's code were both proved just now: a two-factor session.
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

    [GeneratedRegex(@"^\s*\d{3}[\s-]?\d{3}\s*$")]
    private static partial Regex SixDigits();
}
