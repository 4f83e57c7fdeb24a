using System.Text;

namespace Solidarity.Web.Infrastructure.Pdf;

/// <summary>
/// One of the PDF standard fonts every reader carries (Helvetica, Helvetica-Bold), used with WinAnsiEncoding:
/// nothing is embedded, so a page costs only its text. Widths are the fonts' Adobe metrics, per WinAnsi code,
/// in thousandths of the font size.
/// </summary>
internal sealed class PdfStandardFont
{
    public static readonly PdfStandardFont Helvetica = new("Helvetica", "F1", HelveticaWidths(bold: false));
    public static readonly PdfStandardFont HelveticaBold = new("Helvetica-Bold", "F2", HelveticaWidths(bold: true));

    /// <summary>What stands in for a character WinAnsi has no code for.</summary>
    public const byte Unknown = (byte)'?';

    private readonly short[] _widths;

    private PdfStandardFont(string baseFont, string resourceName, short[] widths)
    {
        BaseFont = baseFont;
        ResourceName = resourceName;
        _widths = widths;
    }

    public string BaseFont { get; }

    /// <summary>The name pages use for the font in their resources.</summary>
    public string ResourceName { get; }

    /// <summary>The advance width of <paramref name="text"/> at <paramref name="size"/> points, as it will be drawn.</summary>
    public double Width(string text, double size)
    {
        var thousandths = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            thousandths += _widths[Encode(rune)];
        }

        return thousandths * size / 1000;
    }

    public double Width(Rune rune, double size) => _widths[Encode(rune)] * size / 1000;

    /// <summary>
    /// The WinAnsi (Windows-1252) code for a character: ASCII and Latin-1 are their own codes; the few
    /// typographic characters names and amounts use are mapped; anything else becomes "?".
    /// </summary>
    public static byte Encode(Rune rune) => rune.Value switch
    {
        >= 0x20 and <= 0x7E => (byte)rune.Value,
        >= 0xA0 and <= 0xFF => (byte)rune.Value,
        0x20AC => 0x80, // euro
        0x2026 => 0x85, // ellipsis
        0x2018 => 0x91,
        0x2019 => 0x92,
        0x201C => 0x93,
        0x201D => 0x94,
        0x2022 => 0x95, // bullet
        0x2013 => 0x96, // en dash
        0x2014 => 0x97, // em dash
        0x2212 => (byte)'-', // minus sign, which some cultures format negative amounts with
        _ => Unknown,
    };

    private static short[] HelveticaWidths(bool bold)
    {
        // Printable ASCII, 0x20 to 0x7E.
        short[] regularAscii =
        [
            278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
            556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
            1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
            667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
            333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
            556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
        ];
        short[] boldAscii =
        [
            278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
            556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
            975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
            667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
            333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
            611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
        ];

        // Latin-1, 0xA0 to 0xFF.
        short[] regularLatin1 =
        [
            278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
            400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
            667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
            722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
            556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
            556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
        ];
        short[] boldLatin1 =
        [
            278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
            400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
            722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
            722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
            556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
            611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
        ];

        var widths = new short[256];
        (bold ? boldAscii : regularAscii).CopyTo(widths, 0x20);
        (bold ? boldLatin1 : regularLatin1).CopyTo(widths, 0xA0);
        widths[0x80] = 556;
        widths[0x85] = 1000;
        widths[0x91] = widths[0x92] = (short)(bold ? 278 : 222);
        widths[0x93] = widths[0x94] = (short)(bold ? 500 : 333);
        widths[0x95] = 350;
        widths[0x96] = 556;
        widths[0x97] = 1000;
        return widths;
    }
}
