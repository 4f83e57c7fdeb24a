using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Solidarity.Web.Pages;

internal sealed class IndexModel : PageModel
{
    public void OnGet()
    {
    }
}
