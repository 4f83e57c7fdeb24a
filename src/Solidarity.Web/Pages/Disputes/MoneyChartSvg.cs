using System.Security;
using ScottPlot;
using ScottPlot.TickGenerators;
using Solidarity.Web.Infrastructure.Graphics;
using Solidarity.Web.Infrastructure.Html;

namespace Solidarity.Web.Pages.Disputes;

/// <summary>
/// Draws a <see cref="MoneyChart"/> as SVG with ScottPlot: the running total by day, the action days shaded and a
/// dashed line on each day news was published. A picture for people who can see it; the same figures are on the
/// chart's table page, and the image's text alternative says what it shows.
/// </summary>
internal static class MoneyChartSvg
{
    public const string ContentType = "image/svg+xml";

    /// <summary>
    /// The drawing's own size: the page scales it to the width it has (the SVG carries a viewBox), so the labels are
    /// set large enough to stay legible on a 375 px phone, where it is drawn at a little over half this width.
    /// </summary>
    public const int Width = 640;

    public const int Height = 360;

    private const float LabelSize = 17;

    private static readonly CultureInfo British = CultureInfo.GetCultureInfo("en-GB");

    private static readonly Color Ink = Color.FromHex("#1f2933");
    private static readonly Color Raised = Color.FromHex("#b3261e");
    private static readonly Color ActionShade = Color.FromHex("#f7d9a8");
    private static readonly Color NewsLine = Color.FromHex("#1d4f91");

    /// <param name="fonts">Installed in ScottPlot, which draws every label with them.</param>
    public static string Render(MoneyChart chart, DrawingFonts fonts)
    {
        var plot = new Plot();
        plot.Font.Set(fonts.FamilyName);
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Grid.MajorLineColor = Color.FromHex("#e4e7eb");

        if (chart.Days.Count == 0)
        {
            plot.Axes.Frameless();
            plot.HideGrid();
            var empty = plot.Add.Text("Nothing raised yet", 0, 0);
            empty.LabelFontSize = LabelSize + 4;
            empty.LabelFontColor = Ink;
            empty.LabelAlignment = Alignment.MiddleCenter;
            plot.Axes.SetLimits(-1, 1, -1, 1);
            return Finish(plot, chart);
        }

        // Each day's point is drawn at its end, where the running total stands once the day is over.
        static double At(DateOnly day) => day.AddDays(1).ToDateTime(TimeOnly.MinValue).ToOADate();
        var first = chart.Days[0].Day;
        var xs = chart.Days.Select(d => At(d.Day)).Prepend(first.ToDateTime(TimeOnly.MinValue).ToOADate()).ToArray();
        var ys = chart.Days.Select(d => d.ToDatePence / 100.0).Prepend(0).ToArray();

        var actionLegend = true;
        foreach (var run in Runs(chart.Days.Where(d => d.IsActionDay).Select(d => d.Day)))
        {
            var span = plot.Add.HorizontalSpan(run.From.ToDateTime(TimeOnly.MinValue).ToOADate(), At(run.To));
            span.FillStyle.Color = ActionShade.WithAlpha(0.6);
            span.LineStyle.Width = 0;
            span.LegendText = actionLegend ? "Action days" : "";
            actionLegend = false;
        }

        var newsLegend = true;
        foreach (var day in chart.Days.Where(d => d.UpdateTitles.Count > 0))
        {
            var line = plot.Add.VerticalLine((day.Day.ToDateTime(TimeOnly.MinValue).ToOADate() + At(day.Day)) / 2);
            line.Color = NewsLine;
            line.LineWidth = 2;
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = newsLegend ? "News published" : "";
            newsLegend = false;
        }

        var total = plot.Add.Scatter(xs, ys);
        total.Color = Raised;
        total.LineWidth = 3;
        total.MarkerSize = chart.Days.Count <= 31 ? 6 : 0;
        total.LegendText = "Raised to date";

        var dates = plot.Axes.DateTimeTicksBottom();
        if (dates.TickGenerator is DateTimeAutomatic automatic)
        {
            automatic.LabelFormatter = d => d.ToString("d MMM", British);
        }

        plot.Axes.Left.TickGenerator = new NumericAutomatic { LabelFormatter = pounds => "£" + pounds.ToString("#,0", British) };
        plot.Axes.Bottom.TickLabelStyle.FontSize = LabelSize;
        plot.Axes.Left.TickLabelStyle.FontSize = LabelSize;
        plot.Axes.Bottom.TickLabelStyle.ForeColor = Ink;
        plot.Axes.Left.TickLabelStyle.ForeColor = Ink;
        plot.Axes.SetLimitsX(xs[0], xs[^1] + 0.25);
        plot.Axes.SetLimitsY(0, Math.Max(ys[^1], ys.Max()) * 1.1 + 1);

        var legend = plot.ShowLegend(Alignment.UpperLeft);
        legend.FontSize = LabelSize - 2;
        legend.FontColor = Ink;
        return Finish(plot, chart);
    }

    /// <summary>
    /// ScottPlot gives the SVG a fixed width and height; a viewBox lets the page scale it to any width, and a title
    /// names it for whoever opens the file on its own.
    /// </summary>
    private static string Finish(Plot plot, MoneyChart chart)
    {
        var svg = plot.GetSvgXml(Width, Height);
        var root = svg.IndexOf("<svg", StringComparison.Ordinal);
        var rootEnd = svg.IndexOf('>', root);
        return svg[..root]
            + $"<svg viewBox=\"0 0 {Width} {Height}\" role=\"img\""
            + svg[(root + 4)..(rootEnd + 1)]
            + $"<title>{SecurityElement.Escape(XmlCharacters.Keep(chart.Summary))}</title>"
            + svg[(rootEnd + 1)..];
    }

    private static IEnumerable<(DateOnly From, DateOnly To)> Runs(IEnumerable<DateOnly> days)
    {
        DateOnly? from = null, to = null;
        foreach (var day in days.Order())
        {
            if (to is { } end && day.DayNumber == end.DayNumber + 1)
            {
                to = day;
                continue;
            }

            if (from is { } start)
            {
                yield return (start, to!.Value);
            }

            (from, to) = (day, day);
        }

        if (from is { } last)
        {
            yield return (last, to!.Value);
        }
    }
}
