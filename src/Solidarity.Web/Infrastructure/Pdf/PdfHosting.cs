namespace Solidarity.Web.Infrastructure.Pdf;

internal static class PdfHosting
{
    /// <summary>
    /// Installs the font resolver at start-up, so a machine without fonts stops here with the name of the
    /// package to install rather than failing on the first receipt.
    /// </summary>
    public static void AddPdf(this WebApplicationBuilder builder)
    {
        var directories = builder.Configuration.GetSection("Pdf:FontDirectories").Get<string[]>();
        var resolver = SystemFontResolver.Install(directories is { Length: > 0 } ? directories : SystemFontResolver.DefaultDirectories);
        builder.Services.AddSingleton(resolver);
    }
}
