using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Pdf;

namespace Solidarity.Tests.Pdf;

/// <summary>The site says at start-up which faces its documents print with, and which scripts they cover.</summary>
public sealed class PdfFontsStartUpTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public void The_site_logs_the_faces_it_found_and_the_scripts_it_can_print()
    {
        using var logs = new CapturedLogs();
        using var site = App.WithWebHostBuilder(b => b.ConfigureLogging(logging => logging.AddProvider(logs)));

        _ = site.Services.GetRequiredService<PdfFonts>();

        var line = Assert.Single(logs.Entries, e => e.Message.StartsWith("PDF fonts:", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("NotoSans-Regular.ttf", line.Message, StringComparison.Ordinal);
        Assert.Contains("DroidSansFallbackFull.ttf", line.Message, StringComparison.Ordinal);
        Assert.All(PdfFonts.Scripts, script => Assert.Contains(script.Script, line.Message, StringComparison.Ordinal));
    }
}
