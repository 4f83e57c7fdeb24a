using Ganss.Xss;
using Markdig;
using Markdig.Syntax;

namespace Solidarity.Web.Infrastructure.Html;

/// <summary>
/// Turns an admin's Markdown into HTML that is safe to put in a page or a feed. Two locks, either one
/// enough on its own: Markdig writes raw HTML out as text, and the sanitiser then keeps only plain
/// formatting tags and http(s)/mailto links. Whatever is pasted, no script, handler or style survives.
/// </summary>
internal sealed class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseEmphasisExtras()
        .UsePipeTables()
        .UseListExtras()
        .UseAutoLinks()
        .DisableHtml()
        .Build();

    private static readonly string[] Tags =
    [
        "p", "br", "hr", "strong", "em", "b", "i", "del", "ins", "sub", "sup", "mark", "code", "pre", "blockquote",
        "ul", "ol", "li", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
    ];

    private readonly HtmlSanitizer _sanitizer;

    public SafeMarkdown()
    {
        _sanitizer = new HtmlSanitizer(new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(Tags, StringComparer.OrdinalIgnoreCase),
            AllowedAttributes = new HashSet<string>(["href", "title", "start", "align"], StringComparer.OrdinalIgnoreCase),
            AllowedSchemes = new HashSet<string>(["http", "https", "mailto"], StringComparer.OrdinalIgnoreCase),
            UriAttributes = new HashSet<string>(["href"], StringComparer.OrdinalIgnoreCase),
            AllowedCssProperties = new HashSet<string>(StringComparer.OrdinalIgnoreCase),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
        })
        {
            KeepChildNodes = true,
        };
        _sanitizer.PostProcessNode += (_, e) =>
        {
            // Links in updates go to other sites: they get no referrer-borne authority and no search-engine credit.
            if (e.Node is AngleSharp.Html.Dom.IHtmlAnchorElement anchor)
            {
                anchor.SetAttribute("rel", "nofollow noopener noreferrer");
            }
        };
    }

    /// <summary>The sanitised HTML of <paramref name="markdown"/>.</summary>
    public string ToHtml(string? markdown)
    {
        var document = Markdown.Parse(markdown ?? "", Pipeline);

        // An update sits under the page's own h1, h2 and its h3 title: its headings start at h4.
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            heading.Level = Math.Min(6, heading.Level + 3);
        }

        return _sanitizer.Sanitize(document.ToHtml(Pipeline));
    }
}
