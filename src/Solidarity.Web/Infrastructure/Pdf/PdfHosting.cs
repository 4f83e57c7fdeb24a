namespace Solidarity.Web.Infrastructure.Pdf;

internal static class PdfHosting
{
    /// <summary>
    /// Finds the PDF fonts at start-up, so a machine without any stops here with the name of the package to install
    /// rather than failing on the first receipt; once the site logs, it says which faces it found and which scripts
    /// its documents can print.
    /// </summary>
    public static void AddPdf(this WebApplicationBuilder builder)
    {
        var directories = builder.Configuration.GetSection("Pdf:FontDirectories").Get<string[]>();
        var fonts = PdfFonts.Install(directories is { Length: > 0 } ? directories : PdfFonts.DefaultDirectories, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        builder.Services.AddSingleton(fonts);
        builder.Services.AddHostedService<PdfFontsReport>();
    }

    private sealed class PdfFontsReport(PdfFonts fonts, ILogger<PdfFonts> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            fonts.UseLogger(logger);
            fonts.LogFound();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
