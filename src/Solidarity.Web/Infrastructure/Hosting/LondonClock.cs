namespace Solidarity.Web.Infrastructure.Hosting;

/// <summary>Instants are stored in UTC and shown to people in Europe/London.</summary>
internal sealed class LondonClock(TimeProvider time)
{
    public static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    public static readonly CultureInfo Uk = CultureInfo.GetCultureInfo("en-GB");

    public DateTimeOffset UtcNow => time.GetUtcNow();

    public static DateTimeOffset ToLondon(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, London);

    /// <summary>"05:59 Wed 31 May".</summary>
    public static string ShortDateTime(DateTimeOffset instant) => ToLondon(instant).ToString("HH:mm ddd d MMM", Uk);

    /// <summary>"Wednesday 31 May 2017".</summary>
    public static string LongDate(DateTimeOffset instant) => ToLondon(instant).ToString("dddd d MMMM yyyy", Uk);

    /// <summary>"26 May 2017, 14:30".</summary>
    public static string DateTime(DateTimeOffset instant) => ToLondon(instant).ToString("d MMMM yyyy, HH:mm", Uk);

    /// <summary>What a form says of a time <see cref="IsSkipped"/>.</summary>
    public const string SkippedTimeMessage = "That time does not exist in the UK: the clocks go forward then. Choose another.";

    /// <summary>
    /// A wall-clock time the UK's clocks skip (01:00 to 01:59 on the last Sunday of March): <see cref="FromLondon"/> would
    /// read it an hour out, so a form refuses it.
    /// </summary>
    public static bool IsSkipped(DateTime wallClock) => London.IsInvalidTime(System.DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified));

    /// <summary>The UTC instant of a London wall-clock time (BST or GMT as it was on that day).</summary>
    public static DateTimeOffset FromLondon(DateTime wallClock)
    {
        var local = System.DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, London.GetUtcOffset(local)).ToUniversalTime();
    }
}
