using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Solidarity.Web.Infrastructure.Pdf;

/// <summary>The document information dictionary: what a reader shows as the file's properties.</summary>
internal sealed record PdfDocumentInfo(string Title, string Author, DateTimeOffset Created);

/// <summary>
/// Writes a PDF of A4 pages front to back without holding the document: each page's objects go to the output
/// as soon as the page ends, and all that is kept is each object's byte offset for the cross-reference table
/// (and each page's object number for the page tree), written with the catalog and trailer at the end.
/// The output is only ever appended to, so it can be a response body. Text uses the standard Helvetica fonts.
/// </summary>
internal sealed class PdfStreamWriter(Stream output) : IDisposable
{
    public const double PageWidth = 595;
    public const double PageHeight = 842;

    private const int CatalogObject = 1;
    private const int PagesObject = 2;
    private const int InfoObject = 3;
    private static readonly PdfStandardFont[] Fonts = [PdfStandardFont.Helvetica, PdfStandardFont.HelveticaBold];

    /// <summary>Byte offset of each object, by object number; object 0 is the free-list head.</summary>
    private readonly List<long> _offsets = [0, 0, 0, 0];
    private readonly List<int> _pages = [];
    private readonly MemoryStream _compressed = new();
    private readonly MemoryStream _buffer = new();
    private long _position;

    /// <summary>The page being drawn; it is cleared when the page is written.</summary>
    public PdfPageContent Page { get; } = new(PageHeight);

    public int PageCount => _pages.Count;

    public void Dispose()
    {
        Page.Dispose();
        _compressed.Dispose();
        _buffer.Dispose();
    }

    public async Task BeginAsync(PdfDocumentInfo info, CancellationToken cancellationToken)
    {
        // The binary comment tells transfer tools the file is not text.
        Ascii("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n", latin1: true);
        await FlushAsync(cancellationToken);

        var created = "D:" + info.Created.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "Z";
        StartObject(InfoObject);
        Ascii($"<< /Title {TextString(info.Title)} /Author {TextString(info.Author)} /Creator {TextString(info.Author)} " +
            $"/CreationDate ({created}) /ModDate ({created}) >>\nendobj\n");
        await FlushAsync(cancellationToken);

        foreach (var font in Fonts)
        {
            StartObject(FontObject(font));
            Ascii($"<< /Type /Font /Subtype /Type1 /BaseFont /{font.BaseFont} /Encoding /WinAnsiEncoding >>\nendobj\n");
            await FlushAsync(cancellationToken);
        }
    }

    /// <summary>Compresses the page's content and writes it and the page out, then clears the page for the next.</summary>
    public async Task EndPageAsync(CancellationToken cancellationToken)
    {
        _compressed.SetLength(0);
        using (var zlib = new ZLibStream(_compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            Page.CopyTo(zlib);
        }

        Page.Clear();
        var content = _offsets.Count;
        StartObject(content);
        Ascii($"<< /Length {_compressed.Length} /Filter /FlateDecode >>\nstream\n");
        _compressed.Position = 0;
        _compressed.CopyTo(_buffer);
        Ascii("\nendstream\nendobj\n");
        await FlushAsync(cancellationToken);

        var page = _offsets.Count;
        var fonts = string.Join(" ", Fonts.Select(f => $"/{f.ResourceName} {FontObject(f)} 0 R"));
        StartObject(page);
        Ascii($"<< /Type /Page /Parent {PagesObject} 0 R /MediaBox [0 0 {PageWidth} {PageHeight}] " +
            $"/Resources << /Font << {fonts} >> >> /Contents {content} 0 R >>\nendobj\n");
        await FlushAsync(cancellationToken);
        _pages.Add(page);
    }

    /// <summary>Writes the page tree, the catalog, the cross-reference table and the trailer.</summary>
    public async Task EndAsync(CancellationToken cancellationToken)
    {
        StartObject(PagesObject);
        Ascii("<< /Type /Pages /Kids [");
        foreach (var page in _pages)
        {
            Ascii($"{page} 0 R ");
            if (_buffer.Length > 64 * 1024)
            {
                await FlushAsync(cancellationToken);
            }
        }

        Ascii($"] /Count {_pages.Count} >>\nendobj\n");
        StartObject(CatalogObject);
        Ascii($"<< /Type /Catalog /Pages {PagesObject} 0 R >>\nendobj\n");
        await FlushAsync(cancellationToken);

        var xref = _position;
        Ascii($"xref\n0 {_offsets.Count}\n0000000000 65535 f \n");
        for (var i = 1; i < _offsets.Count; i++)
        {
            Ascii($"{_offsets[i]:D10} 00000 n \n");
            if (_buffer.Length > 64 * 1024)
            {
                await FlushAsync(cancellationToken);
            }
        }

        Ascii($"trailer\n<< /Size {_offsets.Count} /Root {CatalogObject} 0 R /Info {InfoObject} 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        await FlushAsync(cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    private static int FontObject(PdfStandardFont font) => 4 + Array.IndexOf(Fonts, font);

    private void StartObject(int number)
    {
        var offset = _position + _buffer.Length;
        while (_offsets.Count <= number)
        {
            _offsets.Add(0);
        }

        _offsets[number] = offset;
        Ascii($"{number} 0 obj\n");
    }

    private void Ascii(string text, bool latin1 = false)
    {
        var bytes = latin1 ? Encoding.Latin1.GetBytes(text) : Encoding.ASCII.GetBytes(text);
        _buffer.Write(bytes);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        await output.WriteAsync(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length), cancellationToken);
        _position += _buffer.Length;
        _buffer.SetLength(0);
    }

    /// <summary>A text string any reader decodes: UTF-16BE with its byte-order mark, in hex.</summary>
    private static string TextString(string text)
    {
        var hex = new StringBuilder("<FEFF", 6 + text.Length * 4);
        foreach (var c in text)
        {
            hex.Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
        }

        return hex.Append('>').ToString();
    }
}

/// <summary>
/// The drawing of one page as PDF operators, with coordinates measured from the top-left corner in points
/// as a layout thinks of them; the page turns them into PDF's bottom-up space.
/// </summary>
internal sealed class PdfPageContent(double pageHeight) : IDisposable
{
    /// <summary>Where the baseline sits below the top of a line of text, as a fraction of the font size.</summary>
    public const double Ascent = 0.905;

    private readonly MemoryStream _operators = new();

    /// <summary>Draws <paramref name="text"/> with the top of its line at <paramref name="top"/>; gray 0 is black, 1 white.</summary>
    public void Text(string text, PdfStandardFont font, double size, double x, double top, double gray = 0)
    {
        if (text.Length == 0)
        {
            return;
        }

        Ascii($"BT {Number(gray)} g /{font.ResourceName} {Number(size)} Tf {Number(x)} {Number(pageHeight - top - size * Ascent)} Td (");
        foreach (var rune in text.EnumerateRunes())
        {
            var code = PdfStandardFont.Encode(rune);
            if (code is (byte)'(' or (byte)')' or (byte)'\\')
            {
                _operators.WriteByte((byte)'\\');
            }

            _operators.WriteByte(code);
        }

        Ascii(") Tj ET\n");
    }

    /// <summary>Draws <paramref name="text"/> so that it ends at <paramref name="right"/>.</summary>
    public void TextRight(string text, PdfStandardFont font, double size, double right, double top, double gray = 0) =>
        Text(text, font, size, right - font.Width(text, size), top, gray);

    public void Line(double x1, double y1, double x2, double y2, double gray, double width = 1) =>
        Ascii($"{Number(gray)} G {Number(width)} w {Number(x1)} {Number(pageHeight - y1)} m {Number(x2)} {Number(pageHeight - y2)} l S\n");

    internal void CopyTo(Stream destination) => destination.Write(_operators.GetBuffer(), 0, (int)_operators.Length);

    internal void Clear() => _operators.SetLength(0);

    public void Dispose() => _operators.Dispose();

    private void Ascii(string text) => _operators.Write(Encoding.ASCII.GetBytes(text));

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
