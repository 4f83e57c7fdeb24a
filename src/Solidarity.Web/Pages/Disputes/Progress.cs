using Solidarity.Core.Money;

namespace Solidarity.Web.Pages.Disputes;

/// <summary>Raised so far against the target, in the shapes the pages show.</summary>
public sealed record Progress(long RaisedPence, long? TargetPence, int Supporters)
{
    public static Progress Of(DisputeTotals totals, long? targetPence) => new(totals.RaisedPence, targetPence, totals.Supporters);

    public string Raised => Money.Pence(RaisedPence).Format(dropZeroPence: true);

    public string? Target => TargetPence is long target ? Money.Pence(target).Format(dropZeroPence: true) : null;

    /// <summary>Whole percent of the target, capped at 100 for the bar (the text still says what was raised).</summary>
    public int Percent => TargetPence is long target and > 0
        ? (int)Math.Min(100, RaisedPence * 100 / target)
        : 0;

    /// <summary>
    /// The bar's width as a CSS class in 5% steps: the content security policy forbids inline styles,
    /// so the width cannot be written on the element itself.
    /// </summary>
    public string WidthClass => $"w-{Percent / 5 * 5}";

    public string SupportersText => Supporters == 1 ? "1 supporter" : $"{Supporters:N0} supporters";
}
