using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Net.Http.Headers;
using Solidarity.Web.Pages;

namespace Solidarity.Web.Infrastructure.Forms;

/// <summary>
/// What every page does with a request it has no answer for, before its handler runs:
/// <list type="bullet">
/// <item>A method the page has no handler for (TRACE, or a POST with its token to a page without forms) is answered 405
/// with the methods it does take, and OPTIONS, which asks for them, is answered with them. Left to itself, Razor Pages
/// renders such a request with nothing loaded, and the page fails on its empty model.</item>
/// <item>A form sent to a handler the page does not have (<c>?handler=</c> misspelt or made up) is answered 400.</item>
/// </list>
/// The error page is left alone: it is re-executed with whatever method the failed request had.
/// </summary>
internal sealed class RequestsWithoutAnswer : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (context.HandlerInstance is ErrorModel)
        {
            await next();
            return;
        }

        var request = context.HttpContext.Request;
        if (context.HandlerMethod is null && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            var methods = context.ActionDescriptor.HandlerMethods.Select(h => h.HttpMethod.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
            if (methods.Contains(request.Method.ToUpperInvariant()))
            {
                context.Result = new BadRequestResult();
                return;
            }

            methods.UnionWith(["GET", "HEAD"]);
            context.HttpContext.Response.Headers[HeaderNames.Allow] = string.Join(", ", methods.Order(StringComparer.Ordinal));
            context.Result = new StatusCodeResult(
                HttpMethods.IsOptions(request.Method) ? StatusCodes.Status204NoContent : StatusCodes.Status405MethodNotAllowed);
            return;
        }

        await next();
    }
}
