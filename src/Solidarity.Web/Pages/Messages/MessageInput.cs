using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Solidarity.Web.Pages.Messages;

/// <summary>What a supporter types. Field rules are annotations; the rules about the text itself are in <see cref="MessageRules"/>.</summary>
internal sealed class MessageInput
{
    [StringLength(SupportMessage.MaxAuthorNameLength, ErrorMessage = "Keep your name to 100 characters or fewer.")]
    public string? AuthorName { get; set; }

    [StringLength(SupportMessage.MaxOrganisationNameLength, ErrorMessage = "Keep the organisation's name to 200 characters or fewer.")]
    public string? OrganisationName { get; set; }

    [StringLength(SupportMessage.MaxTownLength, ErrorMessage = "Keep the town to 100 characters or fewer.")]
    public string? Town { get; set; }

    /// <summary>Checked in code rather than by an annotation: line breaks count once however the browser sends them.</summary>
    public string? Body { get; set; }

    /// <summary>
    /// The honeypot: hidden from people by the stylesheet and from screen readers, left empty by them,
    /// filled in by form-filling robots.
    /// </summary>
    public string? Website { get; set; }
}

internal static partial class MessageRules
{
    /// <summary>More links than this and a message reads as advertising; supporters rarely need one.</summary>
    public const int MaxLinks = 2;

    public const string BodyRequired = "Write your message: it cannot be empty.";
    public const string BodyTooLong = "Keep your message to 2,000 characters or fewer.";
    public const string TooManyLinks = "Messages can have at most 2 web links: please remove some and send it again.";
    public const string Unprintable = TypedText.Unprintable;
    public const string TooFast = "You have sent several messages in a short time.";

    /// <summary>A message's text as stored: line breaks as "\n", surrounding space trimmed; null when nothing was written.</summary>
    public static string? BodyAsStored(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : TypedText.WithNewlines(text).Trim();

    /// <summary>Adds an error for each rule the text breaks; answers the text to store when it breaks none.</summary>
    public static string? CheckBody(string? typed, ModelStateDictionary modelState, string key)
    {
        if (TypedText.Refused(modelState, key))
        {
            return null;
        }

        var body = BodyAsStored(typed);
        if (body is null)
        {
            modelState.AddModelError(key, BodyRequired);
            return null;
        }

        if (body.Length > SupportMessage.MaxBodyLength)
        {
            modelState.AddModelError(key, BodyTooLong);
            return null;
        }

        if (TypedText.HasUnprintable(body))
        {
            modelState.AddModelError(key, Unprintable);
            return null;
        }

        if (CountLinks(body) > MaxLinks)
        {
            modelState.AddModelError(key, TooManyLinks);
            return null;
        }

        return body;
    }

    public static int CountLinks(string text) => LinkPattern().Count(text);

    /// <summary>Anything a reader would take for a link: a scheme, "www.", or a domain followed by a path.</summary>
    [GeneratedRegex(@"\b(?:[a-z][a-z0-9+.\-]*://|www\.)\S+|\b[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:com|org|net|uk|io|info|biz|ru|xyz|top|co)/\S*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LinkPattern();
}
