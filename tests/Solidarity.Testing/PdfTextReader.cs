using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;

namespace Solidarity.Testing;

/// <summary>
/// Reads a PDF's text as a reader that honours /ActualText copies it: PdfPig maps each glyph through its font's
/// ToUnicode map and, with <see cref="ParsingOptions.UseActualText"/>, gives a marked-content sequence's replacement
/// text to its first glyph (and nothing to the rest), so joined and right-to-left text comes back in logical order.
/// </summary>
public static class PdfTextReader
{
    /// <summary>
    /// Each page's pieces of text in the order they were drawn: letters on one baseline that follow each other
    /// without a gap (so a table's cells, and a label and its value, are separate pieces).
    /// </summary>
    public static List<List<string>> Pieces(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf, new ParsingOptions { UseActualText = true });
        return document.GetPages().Select(PagePieces).ToList();
    }

    public static List<string> AllPieces(byte[] pdf) => Pieces(pdf).SelectMany(p => p).ToList();

    /// <summary>Every page's words as PdfPig finds them (no /ActualText), joined by single spaces, a page to a line.</summary>
    public static string Words(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
    }

    /// <summary>Each page's lines of text, top to bottom, words joined by single spaces.</summary>
    public static List<List<string>> Lines(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return document.GetPages()
            .Select(page => page.GetWords()
                .GroupBy(w => Math.Round(w.BoundingBox.Bottom / 2))
                .OrderByDescending(g => g.Key)
                .Select(g => string.Join(" ", g.OrderBy(w => w.BoundingBox.Left).Select(w => w.Text)))
                .ToList())
            .ToList();
    }

    /// <summary>Every line of <see cref="Lines"/>, one after another.</summary>
    public static string LinesText(byte[] pdf) => string.Join("\n", Lines(pdf).SelectMany(p => p));

    private static List<string> PagePieces(Page page)
    {
        var pieces = new List<string>();
        var current = new System.Text.StringBuilder();
        Letter? previous = null;
        foreach (var letter in page.Letters)
        {
            if (previous is not null && !Follows(previous, letter))
            {
                pieces.Add(current.ToString());
                current.Clear();
            }

            current.Append(letter.Value);
            previous = letter;
        }

        if (current.Length > 0)
        {
            pieces.Add(current.ToString());
        }

        return pieces.Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
    }

    /// <summary>On the same baseline and starting within a few points of where the previous glyph ended.</summary>
    private static bool Follows(Letter previous, Letter next) =>
        Math.Abs(previous.StartBaseLine.Y - next.StartBaseLine.Y) < 3 &&
        next.StartBaseLine.X - previous.EndBaseLine.X is > -3 and < 6;
}
