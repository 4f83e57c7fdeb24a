using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Solidarity.Web.Infrastructure.Forms;

/// <summary>What a person typed into a form, read the same way on every form.</summary>
internal static class TypedText
{
    /// <summary>What a field holding a character <see cref="HasUnprintable"/> refuses says, on every form.</summary>
    public const string Unprintable =
        "This has characters that cannot be shown (control characters or text-direction marks, often pasted from another program): please retype them.";

    /// <summary>What a field longer than its limit says (the limit written in full, "20,000"), on every form.</summary>
    public const string TooLong = "Keep this to {1:N0} characters or fewer.";

    /// <summary>Surrounding space trimmed, and nothing typed (or only space) as null: how every optional field is kept.</summary>
    public static string? TrimToNull(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>A name, a town, an organisation or an address: one line of ordinary characters, or an error on <paramref name="key"/>.</summary>
    public static void CheckLine(string? value, ModelStateDictionary modelState, string key)
    {
        if (value is not null && !Refused(modelState, key) && (value.Contains('\n', StringComparison.Ordinal) || HasUnprintable(value)))
        {
            modelState.AddModelError(key, "Keep this to one line of ordinary characters.");
        }
    }

    /// <summary>
    /// Several lines (an update, a dispute's story) of ordinary characters, or an error on <paramref name="key"/>: a control
    /// character pasted from another program would otherwise break the feeds and the chart that carry the text.
    /// </summary>
    public static void CheckText(string? value, ModelStateDictionary modelState, string key)
    {
        if (value is not null && !Refused(modelState, key) && HasUnprintable(WithNewlines(value)))
        {
            modelState.AddModelError(key, Unprintable);
        }
    }

    /// <summary>Whether <paramref name="key"/> was refused already as it was bound (<see cref="TypedTextBinderProvider"/>): its one message says why.</summary>
    public static bool Refused(ModelStateDictionary modelState, string key) =>
        modelState.TryGetValue(key, out var entry) && entry.ValidationState == ModelValidationState.Invalid;

    /// <summary>Line breaks as "\n", however the browser sent them ("\r\n" from a text area, or a lone "\r").</summary>
    public static string WithNewlines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

    /// <summary>
    /// Control characters other than line breaks and tabs, and unpaired surrogates, which no keyboard types; and the
    /// characters that override or embed a direction (U+202A to U+202E, U+2066 to U+2069), which turn the text after them
    /// round: a name ending in one would show the rest of its line on the supporters page, its amount included, reversed.
    /// A right-to-left name needs none of them: the page isolates each name it shows.
    /// </summary>
    public static bool HasUnprintable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if ((char.IsControl(c) && c is not '\n' and not '\t') || char.IsSurrogate(c) || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
            {
                return true;
            }
        }

        return false;
    }
}
