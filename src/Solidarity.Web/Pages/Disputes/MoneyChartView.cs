namespace Solidarity.Web.Pages.Disputes;

/// <summary>
/// What <c>_MoneyChart.cshtml</c> shows: the chart's image, its text alternative, and the link to its table. A page
/// that has read the chart (<see cref="Full"/>) says everything in the alternative; the dispute's page, which keeps to
/// its four commands and has only the totals (<see cref="FromTotals"/>), says what it knows and points to the table.
/// </summary>
internal sealed record MoneyChartView(string Slug, string Alt, bool LinkToTable)
{
    public string ImagePath => ChartEndpoints.ChartPath(Slug);

    public string TablePath => ChartEndpoints.TablePath(Slug);

    public static MoneyChartView Full(MoneyChart chart, bool linkToTable = false) => new(chart.Slug, chart.Summary, linkToTable);

    public static MoneyChartView FromTotals(string slug, string title, Progress progress) => new(
        slug,
        progress.RaisedPence == 0
            ? $"Money raised for {title}, day by day: nothing raised yet."
            : $"Money raised for {title}, day by day: {progress.Raised} raised to date. Every day's figures are in the table linked below.",
        LinkToTable: true);
}
