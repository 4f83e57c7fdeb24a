namespace Solidarity.Web.Infrastructure.Pdf;

/// <summary>
/// Writes a simple one-column A4 document top to bottom: headings, label/value rows, wrapped paragraphs.
/// Moves to a new page when the current one is full. Text in any script the fonts cover, through the same
/// writer as the statements (<see cref="PdfStreamWriter"/>).
/// </summary>
internal sealed class PdfLayout : IDisposable
{
    private const double Margin = 56;
    private const double LabelWidth = 150;
    private const double Width = PdfStreamWriter.PageWidth - 2 * Margin;

    private static readonly Style Title = new(18, Bold: true);
    private static readonly Style Heading = new(11, Bold: true);
    private static readonly Style Label = new(10, Bold: true);
    private static readonly Style Body = new(10, Bold: false);
    private static readonly Style Small = new(8.5, Bold: false);

    private readonly MemoryStream _output = new();
    private readonly PdfStreamWriter _writer;
    private double _y = Margin;

    public PdfLayout(string title, string author, DateTimeOffset created, PdfFonts? fonts = null)
    {
        _writer = new PdfStreamWriter(_output, fonts);
        _writer.Begin(new PdfDocumentInfo(title, author, created));
    }

    private PdfPageContent Page => _writer.Page;

    public void TitleLine(string text) => Write(text, Title, spacingAfter: 8);

    public void HeadingLine(string text)
    {
        Space(6);
        Write(text, Heading, spacingAfter: 4);
    }

    public void Paragraph(string text) => Write(text, Body, spacingAfter: 4);

    public void SmallParagraph(string text) => Write(text, Small, spacingAfter: 3);

    /// <summary>A label in the left column, its value wrapped in the right.</summary>
    public void Row(string label, string value)
    {
        var labelLines = Lines(label, Label, LabelWidth - 8);
        var valueLines = Lines(value, Body, Width - LabelWidth);
        var height = Math.Max(labelLines.Count * Label.LineHeight, valueLines.Count * Body.LineHeight);
        EnsureRoom(height);
        Draw(labelLines, Label, Margin);
        Draw(valueLines, Body, Margin + LabelWidth);
        _y += height + 3;
    }

    public void Rule()
    {
        Space(4);
        Page.Line(Margin, _y, Margin + Width, _y, 0.5);
        Space(8);
    }

    public void Space(double points) => _y += points;

    public byte[] ToBytes()
    {
        _writer.EndPage();
        _writer.End();
        return _output.ToArray();
    }

    public void Dispose()
    {
        _writer.Dispose();
        _output.Dispose();
    }

    /// <summary>Wrapped lines, each moving to a new page on its own when the page is full, so a long message runs on.</summary>
    private void Write(string text, Style style, double spacingAfter)
    {
        foreach (var line in Lines(text, style, Width))
        {
            EnsureRoom(style.LineHeight);
            Draw([line], style, Margin);
            _y += style.LineHeight;
        }

        _y += spacingAfter;
    }

    private void Draw(IReadOnlyList<(ShapedText Text, int Start, int End)> lines, Style style, double x)
    {
        var y = _y;
        foreach (var (text, start, end) in lines)
        {
            Page.Text(text, start, end, style.Size, x, y);
            y += style.LineHeight;
        }
    }

    /// <summary>Each paragraph of <paramref name="text"/> shaped and wrapped to <paramref name="width"/>.</summary>
    private List<(ShapedText Text, int Start, int End)> Lines(string text, Style style, double width)
    {
        var lines = new List<(ShapedText, int, int)>();
        foreach (var paragraph in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var shaped = ShapedText.Shape(paragraph, style.Bold, _writer.Fonts);
            foreach (var (start, end) in shaped.Lines(width, style.Size))
            {
                lines.Add((shaped, start, end));
            }
        }

        return lines;
    }

    private void EnsureRoom(double height)
    {
        if (_y + height > PdfStreamWriter.PageHeight - Margin)
        {
            _writer.EndPage();
            _y = Margin;
        }
    }

    /// <summary>A font size and weight, and the distance from one line to the next.</summary>
    private sealed record Style(double Size, bool Bold)
    {
        public double LineHeight => Size * 1.25;
    }
}
