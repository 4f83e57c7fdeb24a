using Microsoft.AspNetCore.OutputCaching;

namespace Solidarity.Web.Pages.Disputes;

/// <summary>
/// The money chart as a table: every day's figures and what happened that day, for screen readers, for copying, and
/// for anyone who would rather read numbers than a line. Its own URL, so the dispute's page links to it at no cost.
/// </summary>
[OutputCache(PolicyName = PublicPageCaching.PolicyName)]
internal sealed class ChartModel(MoneyChartQuery charts) : PageModel
{
    public MoneyChart Chart { get; private set; } = default!;

    public Task<IActionResult> OnGetAsync(string slug, CancellationToken cancellationToken) =>
        this.ShowDisputeViewAsync(charts.ForAsync(slug, cancellationToken), chart => Chart = chart);
}
