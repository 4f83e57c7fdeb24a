using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Solidarity.Core.Accounts;

namespace Solidarity.Web.Pages.Account;

[AllowAnonymous]
internal sealed class AccessDeniedModel : PageModel
{
    /// <summary>An admin whose session has no second factor is told how to get one, not just turned away.</summary>
    public bool AdminNeedsSecondFactor { get; private set; }

    public void OnGet()
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        AdminNeedsSecondFactor = User.IsInRole(Roles.Admin) && !AccountFlow.UsedSecondFactor(User);
    }
}
