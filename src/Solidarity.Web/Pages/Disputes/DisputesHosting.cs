using Solidarity.Web.Infrastructure.Graphics;
using Solidarity.Web.Pages.Disputes.Books;
using Solidarity.Web.Pages.Disputes.Supporters;

namespace Solidarity.Web.Pages.Disputes;

internal static class DisputesHosting
{
    /// <summary>
    /// The public face of a dispute: its totals, its open books, its supporters, and its pictures (the chart and the
    /// share card, drawn with the PDF documents' font files).
    /// </summary>
    public static void AddDisputePages(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<DisputeTotalsQuery>();
        services.AddScoped<OpenBooksQuery>();
        services.AddScoped<SupportersQuery>();
        services.AddSingleton(provider => DrawingFonts.Install(provider.GetRequiredService<PdfFonts>()));
        services.AddSingleton<ShareCard>();
        services.AddSingleton<ClosedDays>();
        services.AddScoped<MoneyChartQuery>();
        services.AddScoped<ShareCardQuery>();
    }
}
