namespace Solidarity.Web.Pages.Remittances;

internal sealed class RemittanceSettings
{
    public const string Section = "Remittances";

    /// <summary>
    /// When the statements job runs, in Europe/London (Hangfire cron). Mondays at 06:00 by default: the week
    /// closed at midnight, and the hours between leave any entry recorded just before midnight time to commit.
    /// </summary>
    public string StatementCron { get; set; } = "0 6 * * 1";

    /// <summary>A period ends at 00:00 London on this day; a run covers up to the last such midnight before it.</summary>
    public DayOfWeek PeriodEndsOn { get; set; } = DayOfWeek.Monday;

    /// <summary>
    /// How long after a period end it may be closed. An entry is stamped when its transaction starts and is seen
    /// when it commits, so one begun just before midnight may not be readable yet at midnight; a period closed then
    /// would leave it out, and the next period, starting at that midnight, would never include it.
    /// </summary>
    public int SettleMinutes { get; set; } = 10;

    /// <summary>
    /// The two-person rule: the admin who approved a statement may not record its payment. On a site with a single
    /// admin that rule cannot be met; only when this is true may that admin do both. False by default, so a site
    /// that wants the safeguard is never quietly without it.
    /// </summary>
    public bool AllowSingleAdmin { get; set; }
}

/// <summary>Where statement periods end: midnight in London on the configured day, whatever the UTC offset that week.</summary>
internal static class StatementPeriods
{
    /// <summary>The last period end that has had time to settle: at or before <paramref name="now"/> less the settle time.</summary>
    public static DateTimeOffset LastClosable(DateTimeOffset now, RemittanceSettings settings) =>
        LastEndBefore(now - TimeSpan.FromMinutes(Math.Max(settings.SettleMinutes, 0)), settings.PeriodEndsOn);

    /// <summary>The last period end at or before <paramref name="now"/>.</summary>
    public static DateTimeOffset LastEndBefore(DateTimeOffset now, DayOfWeek endsOn)
    {
        var londonDate = DateOnly.FromDateTime(LondonClock.ToLondon(now).DateTime);
        var daysBack = ((int)londonDate.DayOfWeek - (int)endsOn + 7) % 7;
        var end = LondonClock.FromLondon(londonDate.AddDays(-daysBack).ToDateTime(TimeOnly.MinValue));
        return end <= now ? end : LondonClock.FromLondon(londonDate.AddDays(-daysBack - 7).ToDateTime(TimeOnly.MinValue));
    }
}
