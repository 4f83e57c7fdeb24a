using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Solidarity.Web.Infrastructure.Forms;

/// <summary>
/// Ties a refused field to its message for those who cannot see the red: a field bound with <c>asp-for</c> whose value
/// was refused is marked <c>aria-invalid</c> and described by its message, the <c>asp-validation-for</c> element beside
/// it, which gets the id <c>{field id}-error</c>. A field without an error is left as it is. Public, as Razor finds
/// only public tag helpers.
/// </summary>
[HtmlTargetElement("input", Attributes = ForAttribute)]
[HtmlTargetElement("select", Attributes = ForAttribute)]
[HtmlTargetElement("textarea", Attributes = ForAttribute)]
[HtmlTargetElement("span", Attributes = ValidationForAttribute)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Maintainability", "CA1515", Justification = "Razor finds only public tag helpers.")]
public sealed class FieldErrorTagHelper : TagHelper
{
    private const string ForAttribute = "asp-for";
    private const string ValidationForAttribute = "asp-validation-for";

    [HtmlAttributeName(ForAttribute)]
    public ModelExpression? For { get; set; }

    [HtmlAttributeName(ValidationForAttribute)]
    public ModelExpression? ValidationFor { get; set; }

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    /// <summary>After ASP.NET's own helpers, which write the field's name, id and message.</summary>
    public override int Order => 1_000;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        if ((ValidationFor ?? For) is not { } field)
        {
            return;
        }

        var name = ViewContext.ViewData.TemplateInfo.GetFullHtmlFieldName(field.Name);
        if (!ViewContext.ModelState.TryGetValue(name, out var entry) || entry.Errors.Count == 0)
        {
            return;
        }

        var messageId = TagBuilder.CreateSanitizedId(name, "_") + "-error";
        if (ValidationFor is not null)
        {
            output.Attributes.SetAttribute("id", messageId);
            return;
        }

        output.Attributes.SetAttribute("aria-invalid", "true");
        output.Attributes.SetAttribute(
            "aria-describedby",
            output.Attributes.TryGetAttribute("aria-describedby", out var described) ? $"{described.Value} {messageId}" : messageId);
    }
}
