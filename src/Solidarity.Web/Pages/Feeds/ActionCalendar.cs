using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Feeds;

internal sealed record CalendarEvent(Guid Id, ActionKind Kind, string Title, string? Details, DateTimeOffset StartsAt, DateTimeOffset EndsAt);

/// <summary>
/// An iCalendar file (RFC 5545) of a dispute's action days. Times are UTC instants ("Z"), which every calendar
/// shows in its own zone, so a strike ending at 05:59 London time ends at 05:59 in a London calendar in BST or GMT.
/// </summary>
internal sealed record ActionCalendar(string Name, string PageUrl, string Authority, IReadOnlyList<CalendarEvent> Events)
{
    public const string ContentType = "text/calendar";

    /// <summary>RFC 5545 3.1: lines longer than 75 octets are folded.</summary>
    private const int MaxLineOctets = 75;

    public string Write(DateTimeOffset now)
    {
        var ics = new StringBuilder();
        Line(ics, "BEGIN:VCALENDAR");
        Line(ics, "VERSION:2.0");
        Line(ics, "PRODID:-//Solidarity//Action days//EN");
        Line(ics, "CALSCALE:GREGORIAN");
        Line(ics, "METHOD:PUBLISH");
        Line(ics, $"X-WR-CALNAME:{Escape(Name)}");
        foreach (var action in Events)
        {
            Line(ics, "BEGIN:VEVENT");
            Line(ics, $"UID:{action.Id}@{Authority}");
            Line(ics, $"DTSTAMP:{Instant(now)}");
            Line(ics, $"DTSTART:{Instant(action.StartsAt)}");
            Line(ics, $"DTEND:{Instant(action.EndsAt)}");
            Line(ics, $"SUMMARY:{Escape(action.Title)}");
            Line(ics, $"DESCRIPTION:{Escape(string.IsNullOrWhiteSpace(action.Details) ? KindLabel(action.Kind) : $"{KindLabel(action.Kind)}. {action.Details}")}");
            Line(ics, $"URL:{PageUrl}");
            Line(ics, "END:VEVENT");
        }

        Line(ics, "END:VCALENDAR");
        return ics.ToString();
    }

    public static string Instant(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// TEXT values escape backslash, semicolon and comma, and write line breaks as \n. Any other control character, which
    /// RFC 5545 does not allow in a TEXT value (text saved before the forms refused them), is left out, so that it costs
    /// that character and not the whole calendar.
    /// </summary>
    public static string Escape(string text) => string.Concat(text.Where(c => !char.IsControl(c) || c is '\n' or '\r' or '\t'))
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace(";", "\\;", StringComparison.Ordinal)
        .Replace(",", "\\,", StringComparison.Ordinal)
        .Replace("\r\n", "\\n", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal)
        .Replace("\r", "\\n", StringComparison.Ordinal);

    private static string KindLabel(ActionKind kind) => kind switch
    {
        ActionKind.Strike => "Strike",
        ActionKind.OvertimeBan => "Overtime ban",
        ActionKind.WorkToRule => "Work to rule",
        ActionKind.Demonstration => "Demonstration",
        _ => "Action",
    };

    /// <summary>Writes one content line, folded at 75 octets without splitting a UTF-8 character, ending in CRLF.</summary>
    private static void Line(StringBuilder ics, string line)
    {
        var octets = 0;
        var limit = MaxLineOctets;
        var i = 0;
        while (i < line.Length)
        {
            var length = char.IsHighSurrogate(line[i]) && i + 1 < line.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(line.AsSpan(i, length));
            if (octets + size > limit)
            {
                // The continuation's leading space counts towards its 75 octets.
                ics.Append("\r\n ");
                octets = 1;
            }

            ics.Append(line, i, length);
            octets += size;
            i += length;
        }

        ics.Append("\r\n");
    }
}
