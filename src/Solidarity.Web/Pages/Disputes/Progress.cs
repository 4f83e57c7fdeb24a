namespace Solidarity.Web.Pages.Disputes;

/// <summary>Raised so far against the target, in the shapes the pages show.</summary>
internal sealed record Progress(long RaisedPence, long? TargetPence, int Supporters, int MonthlyGivers = 0, long MonthlyPence = 0)
{
    public static Progress Of(DisputeTotals totals, long? targetPence) =>
        new(totals.RaisedPence, targetPence, totals.Supporters, totals.MonthlyGivers, totals.MonthlyPence);

    /// <summary>
    /// Fewer monthly givers than this, and the page gives no monthly amount: with one giver it would be that person's
    /// amount, and with two each would learn the other's, to be read beside a name the giver chose to show without it.
    /// </summary>
    public const int GiversBeforeAmountShown = 3;

    /// <summary>"12 people give £140 a month"; "2 people give monthly" while fewer than three do; null while nobody does.</summary>
    public string? MonthlyText => MonthlyGivers switch
    {
        0 => null,
        1 => "1 person gives monthly",
        < GiversBeforeAmountShown => $"{MonthlyGivers:N0} people give monthly",
        _ => $"{MonthlyGivers:N0} people give {Money.Pence(MonthlyPence).Format(dropZeroPence: true)} a month",
    };

    public string Raised => Money.Pence(RaisedPence).Format(dropZeroPence: true);

    public string? Target => TargetPence is long target ? Money.Pence(target).Format(dropZeroPence: true) : null;

    /// <summary>Whole percent of the target, capped at 100 for the bar (the text still says what was raised).</summary>
    public int Percent => (int)Math.Min(100, PercentOfTarget);

    /// <summary>Whole percent of the target as words say it: 150 when half as much again was raised.</summary>
    public long PercentOfTarget => TargetPence is long target and > 0
        ? Math.Max(0, RaisedPence * 100 / target)
        : 0;

    /// <summary>
    /// The bar's width as a CSS class in 5% steps: the content security policy forbids inline styles,
    /// so the width cannot be written on the element itself.
    /// </summary>
    public string WidthClass => $"w-{Percent / 5 * 5}";

    public string SupportersText => Supporters == 1 ? "1 supporter" : $"{Supporters:N0} supporters";
}
