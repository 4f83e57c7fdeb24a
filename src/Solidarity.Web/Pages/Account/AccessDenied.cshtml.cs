using Microsoft.AspNetCore.Http;

namespace Solidarity.Web.Pages.Account;

[AllowAnonymous]
internal sealed class AccessDeniedModel : PageModel
{
    /// <summary>An admin or moderator whose session has no second factor is told how to get one, not just turned away.</summary>
    public bool NeedsSecondFactor { get; private set; }

    public void OnGet()
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        NeedsSecondFactor = (User.IsInRole(Roles.Admin) || User.IsInRole(Roles.Moderator)) && !AccountFlow.UsedSecondFactor(User);
    }
}
