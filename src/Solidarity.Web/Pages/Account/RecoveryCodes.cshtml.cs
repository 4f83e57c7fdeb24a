namespace Solidarity.Web.Pages.Account;

/// <summary>Shows freshly made recovery codes once: they travel in TempData and are gone after this page.</summary>
[Authorize]
internal sealed class RecoveryCodesModel(UserManager<ApplicationUser> userManager) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public IReadOnlyList<string> Codes { get; private set; } = [];
    public string ContinueUrl { get; private set; } = "/";

    public async Task<IActionResult> OnGetAsync()
    {
        if (TempData[SecondFactor.RecoveryCodesKey] is not string[] codes || codes.Length == 0)
        {
            return RedirectToPage("/Account/Authenticator");
        }

        Response.Headers.CacheControl = "no-store";
        Codes = codes;
        var user = await userManager.GetUserAsync(User);
        ContinueUrl = AccountFlow.Landing(Url, ReturnUrl, user is null ? "/" : await AccountFlow.HomeAsync(userManager, user));
        return Page();
    }
}
