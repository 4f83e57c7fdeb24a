using Microsoft.AspNetCore.Http;

namespace Solidarity.Web.Pages.Account;

/// <summary>Choosing a new password from an emailed link; afterwards the person signs in as usual, second factor included.</summary>
[AllowAnonymous]
internal sealed class ResetPasswordModel(PasswordResets resets) : PageModel
{
    public const string DoneNotice = "Your password has been changed. Sign in with it.";

    [BindProperty(SupportsGet = true, Name = "user")]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true, Name = "token")]
    public string? Token { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public bool Works { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    internal sealed class InputModel : NewPasswordInput;

    public async Task<IActionResult> OnGetAsync()
    {
        // The page's address carries the secret: no cache may keep it, and no other site is told it.
        Response.Headers.CacheControl = "no-store";
        return await resets.FindAsync(UserId, Token) is null ? Gone() : Shown();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        Response.Headers.CacheControl = "no-store";
        if (await resets.FindAsync(UserId, Token) is not { } user)
        {
            return Gone();
        }

        if (!ModelState.IsValid)
        {
            return Shown();
        }

        switch (await resets.ResetAsync(user, Token!, Input.Password, HttpContext.RequestAborted))
        {
            case null:
                return Gone();
            case { Count: > 0 } errors:
                foreach (var error in errors)
                {
                    ModelState.AddModelError("Input.Password", error);
                }

                return Shown();
            default:
                Notice = DoneNotice;
                return RedirectToPage("/Account/SignIn");
        }
    }

    private PageResult Shown()
    {
        Works = true;
        return Page();
    }

    private PageResult Gone()
    {
        Works = false;
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
