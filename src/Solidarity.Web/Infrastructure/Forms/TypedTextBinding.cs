using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Binders;

namespace Solidarity.Web.Infrastructure.Forms;

/// <summary>
/// Every piece of text a form, a query string or a route gives the site, read once as it is bound: text with characters
/// no keyboard types (control characters, unpaired surrogates) or that turn the text around it (<see
/// cref="TypedText.HasUnprintable"/>) is refused with a message on its field. So a field added later
/// is covered without a check of its own; a feed, a calendar or a PDF never carries such a character; and a NUL, which
/// PostgreSQL refuses, never reaches the database as an error instead of a message.
/// </summary>
internal sealed class TypedTextBinderProvider : IModelBinderProvider
{
    public IModelBinder? GetBinder(ModelBinderProviderContext context) =>
        context.Metadata.ModelType == typeof(string)
            ? new TypedTextBinder(new SimpleTypeModelBinder(typeof(string), context.Services.GetRequiredService<ILoggerFactory>()))
            : null;

    private sealed class TypedTextBinder(IModelBinder inner) : IModelBinder
    {
        public async Task BindModelAsync(ModelBindingContext bindingContext)
        {
            await inner.BindModelAsync(bindingContext);
            if (bindingContext.Result.Model is string text && TypedText.HasUnprintable(TypedText.WithNewlines(text)))
            {
                bindingContext.ModelState.TryAddModelError(bindingContext.ModelName, TypedText.Unprintable);

                // A form keeps the text, to show it again beside the message (the model state being invalid, nothing is
                // saved); a query or a route value is not bound at all, so that it never reaches a query.
                var method = bindingContext.HttpContext.Request.Method;
                if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
                {
                    bindingContext.Result = ModelBindingResult.Failed();
                }
            }
        }
    }
}
