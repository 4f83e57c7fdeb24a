using System.Xml;

namespace Solidarity.Web.Infrastructure.Html;

/// <summary>
/// Text as XML can carry it. The forms refuse control characters, but a row saved before they did may hold one, and XML
/// 1.0 has no way to write most of them: an <see cref="XmlWriter"/> throws, and an SVG with one is not an image. The
/// feeds and the chart leave such characters out rather than fail.
/// </summary>
internal static class XmlCharacters
{
    public static string Keep(string text)
    {
        StringBuilder? kept = null;
        for (var i = 0; i < text.Length; i++)
        {
            var pair = i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]);
            if (!pair && !XmlConvert.IsXmlChar(text[i]))
            {
                kept ??= new StringBuilder(text.Length).Append(text, 0, i);
                continue;
            }

            var width = pair ? 2 : 1;
            kept?.Append(text, i, width);
            i += width - 1;
        }

        return kept?.ToString() ?? text;
    }
}
