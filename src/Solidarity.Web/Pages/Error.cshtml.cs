using System.Diagnostics;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Solidarity.Web.Pages;

/// <summary>
/// The page re-executed for error status codes (/error/404) and for unhandled exceptions (/error).
/// It says what went wrong in plain words and never shows internals.
/// </summary>
[IgnoreAntiforgeryToken]
internal sealed class ErrorModel(IConfiguration configuration) : PageModel
{
    /// <summary>Who runs the site, for a person to tell when a problem stays.</summary>
    public string Organisation { get; } = Infrastructure.Hosting.Organisation.NameIn(configuration);

    public int Code { get; private set; }
    public string? Reference { get; private set; }

    // Runs whatever the method of the failed request was: a POST that failed is re-executed as a POST.
    [NonHandler]
    public override void OnPageHandlerSelected(PageHandlerSelectedContext context)
    {
        var requested = RouteData.Values.TryGetValue("code", out var value) && int.TryParse(value?.ToString(), out var parsed) ? parsed : 500;
        Code = requested is >= 400 and <= 599 ? requested : 404;
        Response.StatusCode = Code;
        Response.Headers.CacheControl = "no-store, no-cache, must-revalidate";
        Response.Headers.Pragma = "no-cache";
        Response.Headers.Expires = "0";
        if (Code >= 500)
        {
            Reference = Activity.Current?.TraceId.ToString() ?? HttpContext.TraceIdentifier;
        }
    }

    public (string Title, string Message) Describe() => Code switch
    {
        400 => ("Bad request",
            "The address or form had something in it we could not understand. If you were sending a form, it may have been open for a long time "
            + "or in another window: go back, reload the page, and send it again. Check the address if you typed it."),
        403 => ("Access denied",
            "You do not have permission to see this page. If you should, sign in with the account that has it, or ask an admin of this site to give it to you."),
        404 => ("Page not found", "We could not find the page you asked for. It may have moved, or the address may be mistyped."),
        405 => ("Not allowed", "That kind of request is not allowed here."),
        429 => ("Too many requests", "Too many requests came from your connection in a short time. Wait a minute, then try again."),
        < 500 => ("Request not accepted", "We could not accept that request."),
        _ => ("Something went wrong", "Sorry, the site hit a problem and could not finish your request. It has been noted; please try again in a few minutes."),
    };
}
