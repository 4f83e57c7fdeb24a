using Microsoft.AspNetCore.Http;

namespace Solidarity.Web.Pages.Account;

[AllowAnonymous]
internal sealed class ForgotPasswordModel(PasswordResets resets) : PageModel
{
    public const string SentMessage =
        "If that address has an account here, an email with a link to choose a new password is on its way. The link works once, for an hour.";

    public const string TooManyMessage =
        "There have been too many requests for this address, or from your connection, in the last hour. Wait an hour and try again.";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public bool Sent { get; private set; }

    internal sealed class InputModel : AccountEmailInput;

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        if (!await resets.RequestAsync(Input.Email, HttpContext.Connection.RemoteIpAddress, HttpContext.RequestAborted))
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            ModelState.AddModelError("", TooManyMessage);
            return Page();
        }

        Sent = true;
        return Page();
    }
}
