using Microsoft.AspNetCore.Mvc.Filters;

namespace Solidarity.Web.Pages.Account;

/// <summary>
/// A form on someone's way in: a step of signing in, or setting up the authenticator app that signing in asks for. It
/// binds the page's input and the address the person was going to, and sends them there once they are signed in.
/// </summary>
internal abstract class SignInFormModel<TInput> : PageModel
    where TInput : new()
{
    [BindProperty]
    public TInput Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>
    /// Only a local address is kept, before any handler runs, so that a crafted link cannot send someone to another site,
    /// nor have its address carried on through the forms and redirects of the steps after.
    /// </summary>
    [NonHandler]
    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context) =>
        ReturnUrl = AccountFlow.LocalOrNull(Url, ReturnUrl);

    /// <summary>Notes the completed sign-in, and sends the person where they were going or else to their account's home.</summary>
    protected async Task<LocalRedirectResult> SignedInAsync(UserManager<ApplicationUser> users, ApplicationUser user, TimeProvider time)
    {
        await AccountFlow.RecordSignInAsync(users, user, time);
        return LocalRedirect(AccountFlow.Landing(Url, ReturnUrl, await AccountFlow.HomeAsync(users, user)));
    }
}
