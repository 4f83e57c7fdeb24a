using System.Xml;
using Solidarity.Web.Infrastructure.Html;

namespace Solidarity.Web.Pages.Feeds;

internal sealed record AtomEntry(string Id, string Title, string Url, DateTimeOffset Published, DateTimeOffset Updated, string AuthorName, string Html);

/// <summary>
/// An Atom 1.0 feed (RFC 4287), written with XmlWriter so every value is escaped by the writer; text is passed through
/// <see cref="XmlCharacters.Keep"/> first, so that a character XML cannot carry costs that character, not the feed.
/// </summary>
internal sealed record AtomFeed(string Id, string Title, string SelfUrl, string PageUrl, DateTimeOffset? Updated, IReadOnlyList<AtomEntry> Entries)
{
    public const string Namespace = "http://www.w3.org/2005/Atom";
    public const string ContentType = "application/atom+xml";

    /// <param name="now">The feed's updated time when it has no entries and no other date to give.</param>
    public string Write(DateTimeOffset now)
    {
        var text = new Utf8StringWriter();
        using (var xml = XmlWriter.Create(text, new XmlWriterSettings { Indent = true, Encoding = Encoding.UTF8 }))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("feed", Namespace);
            xml.WriteElementString("id", Namespace, Id);
            xml.WriteElementString("title", Namespace, XmlCharacters.Keep(Title));
            xml.WriteElementString("updated", Namespace, Timestamp(Updated ?? now));
            Link(xml, "self", ContentType, SelfUrl);
            Link(xml, "alternate", "text/html", PageUrl);
            xml.WriteStartElement("author", Namespace);
            xml.WriteElementString("name", Namespace, "Solidarity");
            xml.WriteEndElement();
            xml.WriteElementString("generator", Namespace, "Solidarity");

            foreach (var entry in Entries)
            {
                xml.WriteStartElement("entry", Namespace);
                xml.WriteElementString("id", Namespace, entry.Id);
                xml.WriteElementString("title", Namespace, XmlCharacters.Keep(entry.Title));
                xml.WriteElementString("updated", Namespace, Timestamp(entry.Updated));
                xml.WriteElementString("published", Namespace, Timestamp(entry.Published));
                xml.WriteStartElement("author", Namespace);
                xml.WriteElementString("name", Namespace, XmlCharacters.Keep(entry.AuthorName));
                xml.WriteEndElement();
                Link(xml, "alternate", "text/html", entry.Url);
                xml.WriteStartElement("content", Namespace);
                xml.WriteAttributeString("type", "html");
                xml.WriteString(XmlCharacters.Keep(entry.Html));
                xml.WriteEndElement();
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        return text.ToString();
    }

    /// <summary>RFC 3339 in UTC, to the second.</summary>
    public static string Timestamp(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void Link(XmlWriter xml, string rel, string type, string href)
    {
        xml.WriteStartElement("link", Namespace);
        xml.WriteAttributeString("rel", rel);
        xml.WriteAttributeString("type", type);
        xml.WriteAttributeString("href", href);
        xml.WriteEndElement();
    }

    /// <summary>A StringWriter that declares UTF-8, the encoding the response is sent in.</summary>
    private sealed class Utf8StringWriter() : StringWriter(CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => Encoding.UTF8;
    }
}
