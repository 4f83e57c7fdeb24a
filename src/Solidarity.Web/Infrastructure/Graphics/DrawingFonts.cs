using ScottPlot;
using SkiaSharp;

namespace Solidarity.Web.Infrastructure.Graphics;

/// <summary>
/// The typefaces charts and share cards draw with: the same TrueType files the PDFs use (found by
/// <see cref="PdfFonts"/>: its first, Latin, family), because the Linux SkiaSharp build the site ships has no font configuration of its
/// own and would measure every string as empty. Made once per process and handed to ScottPlot for every family name.
/// </summary>
internal sealed class DrawingFonts : IFontResolver
{
    private static readonly Lock InstallLock = new();
    private static DrawingFonts? _installed;

    private DrawingFonts(PdfFonts fonts)
    {
        var latin = fonts.FamiliesFound[0];
        FamilyName = latin.Files.Family;
        Regular = SKTypeface.FromFile(latin.Regular.Path);
        Bold = SKTypeface.FromFile(latin.Bold.Path);
    }

    /// <summary>e.g. "DejaVu Sans": what an SVG names, for the browser to match with its own copy or a fallback.</summary>
    public string FamilyName { get; }

    public SKTypeface Regular { get; }

    public SKTypeface Bold { get; }

    /// <summary>ScottPlot keeps its fonts in static state, so this is done once per process and later calls reuse it.</summary>
    public static DrawingFonts Install(PdfFonts fonts)
    {
        lock (InstallLock)
        {
            if (_installed is null)
            {
                _installed = new DrawingFonts(fonts);
                Fonts.FontResolvers.Insert(0, _installed);
                Fonts.Default = _installed.FamilyName;
                Fonts.Sans = _installed.FamilyName;
            }

            return _installed;
        }
    }

    public SKTypeface CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
        weight >= FontWeight.SemiBold ? Bold : Regular;

    public SKTypeface CreateTypeface(string fontName, bool bold, bool italic) => bold ? Bold : Regular;
}
