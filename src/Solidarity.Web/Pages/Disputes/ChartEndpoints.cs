using Solidarity.Web.Infrastructure.Graphics;

namespace Solidarity.Web.Pages.Disputes;

/// <summary>
/// A dispute's pictures, each at its own URL so the dispute's page costs no extra command for them: the money chart
/// (SVG) and the share card (PNG). Both are public pages like the dispute's own: output-cached and tagged with the
/// dispute, so a payment, a refund or an admin's change evicts them with the page.
/// </summary>
internal static class ChartEndpoints
{
    public static string ChartPath(string slug) => $"/disputes/{slug}/chart.svg";

    public static string TablePath(string slug) => $"/disputes/{slug}/chart";

    public static string ShareCardPath(string slug) => $"/disputes/{slug}/share.png";

    public static void MapCharts(this WebApplication app)
    {
        app.MapGet("/disputes/{slug}/chart.svg", ChartAsync).CacheOutput(PublicPageCaching.PolicyName).ForAudience(Audience.Public);
        app.MapGet("/disputes/{slug}/share.png", ShareCardAsync).CacheOutput(PublicPageCaching.PolicyName).ForAudience(Audience.Public);
    }

    private static async Task<IResult> ChartAsync(
        string slug, HttpContext http, MoneyChartQuery charts, DrawingFonts fonts, CancellationToken cancellationToken)
    {
        var chart = await charts.ForAsync(slug, cancellationToken);
        if (chart is null)
        {
            return Results.NotFound();
        }

        http.TagDispute(chart.DisputeId);
        return Results.Text(MoneyChartSvg.Render(chart, fonts), MoneyChartSvg.ContentType + "; charset=utf-8");
    }

    private static async Task<IResult> ShareCardAsync(
        string slug, HttpContext http, ShareCardQuery cards, ShareCard card, CancellationToken cancellationToken)
    {
        if (await cards.ForAsync(slug, cancellationToken) is not { } found)
        {
            return Results.NotFound();
        }

        http.TagDispute(found.DisputeId);
        return Results.Bytes(card.Render(found.Facts), ShareCard.ContentType);
    }
}
