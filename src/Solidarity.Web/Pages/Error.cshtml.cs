using System.Diagnostics;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Solidarity.Web.Pages;

/// <summary>
/// The page re-executed for error status codes (/error/404) and for unhandled exceptions (/error).
/// It says what went wrong in plain words and never shows internals.
/// </summary>
[IgnoreAntiforgeryToken]
internal sealed class ErrorModel : PageModel
{
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
        400 => ("Bad request", "The address or form had something in it we could not understand. Check it and try again."),
        403 => ("Access denied", "You do not have permission to see this page."),
        404 => ("Page not found", "We could not find the page you asked for. It may have moved, or the address may be mistyped."),
        405 => ("Not allowed", "That kind of request is not allowed here."),
        429 => ("Too many requests", "Please wait a moment and try again."),
        < 500 => ("Request not accepted", "We could not accept that request."),
        _ => ("Something went wrong", "Sorry, the site hit a problem and could not finish your request. It has been noted; please try again in a few minutes."),
    };
}
