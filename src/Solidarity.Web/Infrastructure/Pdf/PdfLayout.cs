using PdfSharp.Drawing;
using PdfSharp.Drawing.Layout;
using PdfSharp.Pdf;

namespace Solidarity.Web.Infrastructure.Pdf;

/// <summary>
/// Writes a simple one-column A4 document top to bottom: headings, label/value rows, wrapped paragraphs.
/// Moves to a new page when the current one is full.
/// </summary>
internal sealed class PdfLayout : IDisposable
{
    private const double Margin = 56;
    private const double LabelWidth = 150;

    private static readonly XFont Title = new(SystemFontResolver.DefaultFamily, 18, XFontStyleEx.Bold);
    private static readonly XFont Heading = new(SystemFontResolver.DefaultFamily, 11, XFontStyleEx.Bold);
    private static readonly XFont Label = new(SystemFontResolver.DefaultFamily, 10, XFontStyleEx.Bold);
    private static readonly XFont Body = new(SystemFontResolver.DefaultFamily, 10, XFontStyleEx.Regular);
    private static readonly XFont Small = new(SystemFontResolver.DefaultFamily, 8.5, XFontStyleEx.Regular);

    private readonly PdfDocument _document;
    private XGraphics _graphics;
    private double _y;

    public PdfLayout(string title, string author)
    {
        _document = new PdfDocument();
        _document.Info.Title = title;
        _document.Info.Author = author;
        _document.Info.Creator = author;
        _graphics = NewPage();
    }

    private double Width => _document.Pages[^1].Width.Point - 2 * Margin;

    public void TitleLine(string text) => Write(text, Title, Margin, Width, spacingAfter: 8);

    public void HeadingLine(string text)
    {
        Space(6);
        Write(text, Heading, Margin, Width, spacingAfter: 4);
    }

    public void Paragraph(string text) => Write(text, Body, Margin, Width, spacingAfter: 4);

    public void SmallParagraph(string text) => Write(text, Small, Margin, Width, spacingAfter: 3);

    /// <summary>A label in the left column, its value wrapped in the right.</summary>
    public void Row(string label, string value)
    {
        var height = Math.Max(Measure(label, Label, LabelWidth - 8), Measure(value, Body, Width - LabelWidth));
        EnsureRoom(height);
        Draw(label, Label, Margin, LabelWidth - 8, height);
        Draw(value, Body, Margin + LabelWidth, Width - LabelWidth, height);
        _y += height + 3;
    }

    public void Rule()
    {
        Space(4);
        _graphics.DrawLine(XPens.Gray, Margin, _y, Margin + Width, _y);
        Space(8);
    }

    public void Space(double points) => _y += points;

    public byte[] ToBytes()
    {
        _graphics.Dispose();
        using var stream = new MemoryStream();
        _document.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    public void Dispose()
    {
        _graphics.Dispose();
        _document.Dispose();
    }

    private void Write(string text, XFont font, double x, double width, double spacingAfter)
    {
        var height = Measure(text, font, width);
        EnsureRoom(height);
        Draw(text, font, x, width, height);
        _y += height + spacingAfter;
    }

    private void Draw(string text, XFont font, double x, double width, double height) =>
        new XTextFormatter(_graphics).DrawString(text, font, XBrushes.Black, new XRect(x, _y, width, height), XStringFormats.TopLeft);

    /// <summary>Height of <paramref name="text"/> wrapped to <paramref name="width"/>, by counting the lines the words fill.</summary>
    private double Measure(string text, XFont font, double width)
    {
        var lineHeight = font.GetHeight();
        var lines = 0;
        foreach (var paragraph in text.Split('\n'))
        {
            lines++;
            var line = "";
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (line.Length > 0 && _graphics.MeasureString(candidate, font).Width > width)
                {
                    lines++;
                    line = word;
                }
                else
                {
                    line = candidate;
                }
            }
        }

        return lines * lineHeight;
    }

    private void EnsureRoom(double height)
    {
        if (_y + height > _document.Pages[^1].Height.Point - Margin)
        {
            _graphics.Dispose();
            _graphics = NewPage();
        }
    }

    private XGraphics NewPage()
    {
        var page = _document.AddPage();
        page.Size = PdfSharp.PageSize.A4;
        _y = Margin;
        return XGraphics.FromPdfPage(page);
    }
}
