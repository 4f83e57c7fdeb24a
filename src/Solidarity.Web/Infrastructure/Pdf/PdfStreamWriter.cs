using System.IO.Compression;

namespace Solidarity.Web.Infrastructure.Pdf;

/// <summary>The document information dictionary: what a reader shows as the file's properties.</summary>
internal sealed record PdfDocumentInfo(string Title, string Author, DateTimeOffset Created);

/// <summary>
/// Writes a PDF of A4 pages front to back without holding the document: each page's objects go to the output
/// as soon as the page ends, and all that is kept is each object's byte offset for the cross-reference table
/// (and each page's object number for the page tree), and, per face used, the glyphs used so far. Text is
/// shaped (<see cref="ShapedText"/>) and written as glyph ids of embedded TrueType faces (CIDFontType2,
/// Identity-H); at the end each face is embedded as a subset of the glyphs the document used, with a ToUnicode
/// map so that text copied from the document is the text that was printed. The output is only ever appended
/// to, so it can be a response body; for a small document, a <see cref="MemoryStream"/> and the synchronous calls.
/// </summary>
internal sealed class PdfStreamWriter : IDisposable
{
    public const double PageWidth = 595;
    public const double PageHeight = 842;

    private const int CatalogObject = 1;
    private const int PagesObject = 2;
    private const int InfoObject = 3;
    private const int FlushAt = 64 * 1024;

    private readonly Stream _output;

    /// <summary>Byte offset of each object, by object number; object 0 is the free-list head.</summary>
    private readonly List<long> _offsets = [0, 0, 0, 0];
    private readonly List<int> _pages = [];
    private readonly MemoryStream _compressed = new();
    private readonly MemoryStream _buffer = new();
    private readonly PdfFontSet _fonts;
    private long _position;

    public PdfStreamWriter(Stream output, PdfFonts? fonts = null)
    {
        _output = output;
        _fonts = new PdfFontSet(fonts ?? PdfFonts.Current, Reserve);
        Page = new PdfPageContent(PageHeight, _fonts);
    }

    /// <summary>The page being drawn; it is cleared when the page is written.</summary>
    public PdfPageContent Page { get; }

    public int PageCount => _pages.Count;

    public PdfFonts Fonts => _fonts.Fonts;

    public void Dispose()
    {
        Page.Dispose();
        _compressed.Dispose();
        _buffer.Dispose();
    }

    public Task BeginAsync(PdfDocumentInfo info, CancellationToken cancellationToken) => RunAsync(BeginSteps(info), cancellationToken);

    public void Begin(PdfDocumentInfo info) => Run(BeginSteps(info));

    /// <summary>Compresses the page's content and writes it and the page out, then clears the page for the next.</summary>
    public Task EndPageAsync(CancellationToken cancellationToken) => RunAsync(EndPageSteps(), cancellationToken);

    public void EndPage() => Run(EndPageSteps());

    /// <summary>Writes the faces used, the page tree, the catalog, the cross-reference table and the trailer.</summary>
    public async Task EndAsync(CancellationToken cancellationToken)
    {
        await RunAsync(EndSteps(), cancellationToken);
        await _output.FlushAsync(cancellationToken);
    }

    public void End()
    {
        Run(EndSteps());
        _output.Flush();
    }

    private IEnumerable<bool> BeginSteps(PdfDocumentInfo info)
    {
        // The binary comment tells transfer tools the file is not text.
        Ascii("%PDF-1.5\n%\u00e2\u00e3\u00cf\u00d3\n", latin1: true);
        var created = "D:" + info.Created.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "Z";
        StartObject(InfoObject);
        Ascii($"<< /Title {TextString(info.Title)} /Author {TextString(info.Author)} /Creator {TextString(info.Author)} " +
            $"/CreationDate ({created}) /ModDate ({created}) >>\nendobj\n");
        yield return true;
    }

    private IEnumerable<bool> EndPageSteps()
    {
        _compressed.SetLength(0);
        using (var zlib = new ZLibStream(_compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            Page.CopyTo(zlib);
        }

        var fonts = string.Join(" ", Page.FontsUsed.Select(f => $"/{f.ResourceName} {f.ObjectNumber} 0 R"));
        Page.Clear();
        var content = _offsets.Count;
        StartObject(content);
        Ascii($"<< /Length {_compressed.Length} /Filter /FlateDecode >>\nstream\n");
        _compressed.Position = 0;
        _compressed.CopyTo(_buffer);
        Ascii("\nendstream\nendobj\n");

        var page = _offsets.Count;
        StartObject(page);
        Ascii($"<< /Type /Page /Parent {PagesObject} 0 R /MediaBox [0 0 {PageWidth} {PageHeight}] " +
            $"/Resources << /Font << {fonts} >> >> /Contents {content} 0 R >>\nendobj\n");
        _pages.Add(page);
        yield return true;
    }

    private IEnumerable<bool> EndSteps()
    {
        foreach (var font in _fonts.Embedded)
        {
            WriteFont(font);
            yield return true;
        }

        StartObject(PagesObject);
        Ascii("<< /Type /Pages /Kids [");
        foreach (var page in _pages)
        {
            Ascii($"{page} 0 R ");
            if (_buffer.Length > FlushAt)
            {
                yield return true;
            }
        }

        Ascii($"] /Count {_pages.Count} >>\nendobj\n");
        StartObject(CatalogObject);
        Ascii($"<< /Type /Catalog /Pages {PagesObject} 0 R >>\nendobj\n");
        yield return true;

        var xref = _position;
        Ascii($"xref\n0 {_offsets.Count}\n0000000000 65535 f \n");
        for (var i = 1; i < _offsets.Count; i++)
        {
            Ascii($"{_offsets[i]:D10} 00000 n \n");
            if (_buffer.Length > FlushAt)
            {
                yield return true;
            }
        }

        Ascii($"trailer\n<< /Size {_offsets.Count} /Root {CatalogObject} 0 R /Info {InfoObject} 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        yield return true;
    }

    /// <summary>
    /// A face as a Type0 font over a CIDFontType2 whose CIDs are the subset's glyph ids: the CIDs were handed out in
    /// order of first use, and the subset is cut in that order, so no CIDToGIDMap is needed beyond Identity.
    /// </summary>
    private void WriteFont(PdfEmbeddedFont font)
    {
        var face = font.Face;
        var glyphs = font.Glyphs.ToList();
        var program = face.Subset(glyphs);
        var name = $"{font.SubsetTag()}+{face.PostScriptName}";
        double Scale(double units) => Math.Round(units * 1000 / face.UnitsPerEm);

        var cidFont = Reserve();
        var descriptor = Reserve();
        var file = Reserve();
        var toUnicode = Reserve();

        StartObject(font.ObjectNumber);
        Ascii($"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H /DescendantFonts [{cidFont} 0 R] /ToUnicode {toUnicode} 0 R >>\nendobj\n");

        StartObject(cidFont);
        Ascii($"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> " +
            $"/FontDescriptor {descriptor} 0 R /CIDToGIDMap /Identity /DW 1000 /W [0 [");
        for (var cid = 0; cid < font.Widths.Count; cid++)
        {
            Ascii(cid % 32 == 31 ? $"{font.Widths[cid]}\n" : $"{font.Widths[cid]} ");
        }

        Ascii("]] >>\nendobj\n");

        var box = face.BoundingBox;
        StartObject(descriptor);
        Ascii($"<< /Type /FontDescriptor /FontName /{name} /Flags 4 /FontBBox [{Scale(box[0])} {Scale(box[1])} {Scale(box[2])} {Scale(box[3])}] " +
            $"/ItalicAngle 0 /Ascent {Scale(face.Ascender)} /Descent {Scale(face.Descender)} /CapHeight {Scale(face.Ascender)} /StemV 80 /FontFile2 {file} 0 R >>\nendobj\n");

        _compressed.SetLength(0);
        using (var zlib = new ZLibStream(_compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(program);
        }

        StartObject(file);
        Ascii($"<< /Length {_compressed.Length} /Length1 {program.Length} /Filter /FlateDecode >>\nstream\n");
        _compressed.Position = 0;
        _compressed.CopyTo(_buffer);
        Ascii("\nendstream\nendobj\n");

        var cmap = new StringBuilder(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
        var mapped = Enumerable.Range(0, font.Unicode.Count).Where(cid => !string.IsNullOrEmpty(font.Unicode[cid])).ToList();
        foreach (var chunk in mapped.Chunk(100))
        {
            cmap.Append(CultureInfo.InvariantCulture, $"{chunk.Length} beginbfchar\n");
            foreach (var cid in chunk)
            {
                cmap.Append(CultureInfo.InvariantCulture, $"<{cid:X4}> <");
                foreach (var c in font.Unicode[cid]!)
                {
                    cmap.Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                }

                cmap.Append(">\n");
            }

            cmap.Append("endbfchar\n");
        }

        cmap.Append("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        _compressed.SetLength(0);
        using (var zlib = new ZLibStream(_compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(Encoding.ASCII.GetBytes(cmap.ToString()));
        }

        StartObject(toUnicode);
        Ascii($"<< /Length {_compressed.Length} /Filter /FlateDecode >>\nstream\n");
        _compressed.Position = 0;
        _compressed.CopyTo(_buffer);
        Ascii("\nendstream\nendobj\n");
    }

    /// <summary>An object number whose object is written later.</summary>
    private int Reserve()
    {
        _offsets.Add(0);
        return _offsets.Count - 1;
    }

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

    private async Task RunAsync(IEnumerable<bool> steps, CancellationToken cancellationToken)
    {
        foreach (var _ in steps)
        {
            await _output.WriteAsync(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length), cancellationToken);
            _position += _buffer.Length;
            _buffer.SetLength(0);
        }
    }

    private void Run(IEnumerable<bool> steps)
    {
        foreach (var _ in steps)
        {
            _output.Write(_buffer.GetBuffer(), 0, (int)_buffer.Length);
            _position += _buffer.Length;
            _buffer.SetLength(0);
        }
    }

    /// <summary>A text string any reader decodes: UTF-16BE with its byte-order mark, in hex.</summary>
    internal static string TextString(string text)
    {
        var hex = new StringBuilder("<FEFF", 6 + text.Length * 4);
        foreach (var c in text)
        {
            hex.Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
        }

        return hex.Append('>').ToString();
    }
}

/// <summary>The faces one document has used so far, each with the glyphs it used, in order of first use.</summary>
internal sealed class PdfFontSet(PdfFonts fonts, Func<int> reserve)
{
    private readonly Dictionary<FontFace, PdfEmbeddedFont> _byFace = [];
    private readonly List<PdfEmbeddedFont> _embedded = [];

    public PdfFonts Fonts => fonts;

    public IReadOnlyList<PdfEmbeddedFont> Embedded => _embedded;

    public PdfEmbeddedFont For(FontFace face)
    {
        if (!_byFace.TryGetValue(face, out var font))
        {
            font = new PdfEmbeddedFont(face, $"F{_embedded.Count + 1}", reserve());
            _byFace[face] = font;
            _embedded.Add(font);
        }

        return font;
    }
}

/// <summary>A face as one document uses it: CID <c>i</c> is glyph <c>Glyphs[i]</c> of the face, CID 0 the .notdef.</summary>
internal sealed class PdfEmbeddedFont
{
    private readonly Dictionary<ushort, ushort> _cids = new() { [0] = 0 };

    public PdfEmbeddedFont(FontFace face, string resourceName, int objectNumber)
    {
        Face = face;
        ResourceName = resourceName;
        ObjectNumber = objectNumber;
        Widths.Add(Width(0));
    }

    public FontFace Face { get; }

    public string ResourceName { get; }

    /// <summary>The Type0 font's object number, reserved when the document first used the face.</summary>
    public int ObjectNumber { get; }

    public List<ushort> Glyphs { get; } = [0];

    /// <summary>Each CID's advance, in thousandths of the font size, as the font's /W array states it.</summary>
    public List<int> Widths { get; } = [];

    /// <summary>The text each CID stands for in the ToUnicode map; null for none.</summary>
    public List<string?> Unicode { get; } = [null];

    /// <summary>
    /// The CID of the shaped glyph, handing out the next one on first use; the first glyph of a cluster maps to the
    /// cluster's text in <paramref name="text"/>, the others (a conjunct's second half) to nothing.
    /// </summary>
    public ushort Cid(in ShapedGlyph shaped, string text)
    {
        if (_cids.TryGetValue(shaped.Glyph, out var cid))
        {
            if (shaped.FirstOfCluster && Unicode[cid] is null)
            {
                Unicode[cid] = text[shaped.Cluster..shaped.ClusterEnd];
            }

            return cid;
        }

        cid = (ushort)Glyphs.Count;
        _cids[shaped.Glyph] = cid;
        Glyphs.Add(shaped.Glyph);
        Widths.Add(Width(shaped.Glyph));
        Unicode.Add(shaped.FirstOfCluster ? text[shaped.Cluster..shaped.ClusterEnd] : null);
        return cid;
    }

    /// <summary>Six capitals naming the subset (PDF 9.6.4), from the glyphs it holds, so the same document comes out byte for byte the same.</summary>
    public string SubsetTag()
    {
        var hash = 2166136261u;
        foreach (var glyph in Glyphs)
        {
            hash = (hash ^ glyph) * 16777619u;
        }

        var tag = new char[6];
        for (var i = 0; i < 6; i++)
        {
            tag[i] = (char)('A' + hash % 26);
            hash /= 26;
        }

        return new string(tag);
    }

    private int Width(ushort glyph) => (int)Math.Round(Face.Advance(glyph) * 1000.0 / Face.UnitsPerEm);
}

/// <summary>
/// The drawing of one page as PDF operators, with coordinates measured from the top-left corner in points
/// as a layout thinks of them; the page turns them into PDF's bottom-up space.
/// </summary>
internal sealed class PdfPageContent(double pageHeight, PdfFontSet fonts) : IDisposable
{
    /// <summary>Where the baseline sits below the top of a line of text, as a fraction of the font size.</summary>
    public const double Ascent = 0.905;

    private readonly MemoryStream _operators = new();
    private readonly List<PdfEmbeddedFont> _fontsUsed = [];

    internal IReadOnlyList<PdfEmbeddedFont> FontsUsed => _fontsUsed;

    /// <summary>Draws <paramref name="text"/> with the top of its line at <paramref name="top"/>; gray 0 is black, 1 white.</summary>
    public void Text(ShapedText text, double size, double x, double top, double gray = 0) => Text(text, 0, text.Text.Length, size, x, top, gray);

    /// <summary>Draws characters <paramref name="start"/> to <paramref name="end"/> of <paramref name="text"/> as one line.</summary>
    public void Text(ShapedText text, int start, int end, double size, double x, double top, double gray = 0)
    {
        if (end <= start)
        {
            return;
        }

        Raw("BT "u8);
        Num(gray);
        Raw(" g "u8);
        var actualText = text.NeedsActualText(start, end);
        if (actualText)
        {
            // The glyphs of joined, reordered or right-to-left text do not spell it out in order: a reader copies this instead.
            Ascii($"/Span << /ActualText {PdfStreamWriter.TextString(text.Text[start..end])} >> BDC ");
        }

        Num(x);
        Raw(" "u8);
        Num(pageHeight - top - size * Ascent);
        Raw(" Td"u8);
        PdfEmbeddedFont? font = null;
        var inArray = false;
        var inString = false;
        float rise = 0;
        double pen = 0;
        double written = 0;
        foreach (var glyph in text.VisualGlyphs(start, end))
        {
            var target = fonts.For(glyph.Face);
            if (target != font || glyph.YOffset != rise)
            {
                if (inArray)
                {
                    Raw(inString ? ")] TJ"u8 : "] TJ"u8);
                    inArray = inString = false;
                }

                if (target != font)
                {
                    font = target;
                    if (!_fontsUsed.Contains(font))
                    {
                        _fontsUsed.Add(font);
                    }

                    Raw(" /"u8);
                    Ascii(font.ResourceName);
                    Raw(" "u8);
                    Num(size);
                    Raw(" Tf"u8);
                }

                if (glyph.YOffset != rise)
                {
                    rise = glyph.YOffset;
                    Raw(" "u8);
                    Num(rise * size / 1000);
                    Raw(" Ts"u8);
                }
            }

            if (!inArray)
            {
                Raw(" ["u8);
                inArray = true;
            }

            // Kerning, mark offsets and advances that differ from the font's widths move the pen between glyphs.
            var origin = pen + glyph.XOffset;
            if (Math.Abs(origin - written) > 0.5)
            {
                Raw(inString ? ") "u8 : ""u8);
                Num(written - origin);
                Raw(" ("u8);
                inString = true;
                written = origin;
            }
            else if (!inString)
            {
                Raw("("u8);
                inString = true;
            }

            var cid = font!.Cid(glyph, text.Text);
            Code((byte)(cid >> 8));
            Code((byte)cid);
            written += font.Widths[cid];
            pen += glyph.Advance;
        }

        if (inArray)
        {
            Raw(inString ? ")] TJ"u8 : "] TJ"u8);
        }

        if (rise != 0)
        {
            Raw(" 0 Ts"u8);
        }

        Raw(actualText ? " EMC ET\n"u8 : " ET\n"u8);
    }

    /// <summary>Draws <paramref name="text"/> so that it ends at <paramref name="right"/>.</summary>
    public void TextRight(ShapedText text, double size, double right, double top, double gray = 0) =>
        Text(text, size, right - text.Width(size), top, gray);

    public void Line(double x1, double y1, double x2, double y2, double gray, double width = 1) =>
        Ascii($"{Number(gray)} G {Number(width)} w {Number(x1)} {Number(pageHeight - y1)} m {Number(x2)} {Number(pageHeight - y2)} l S\n");

    internal void CopyTo(Stream destination) => destination.Write(_operators.GetBuffer(), 0, (int)_operators.Length);

    internal void Clear()
    {
        _operators.SetLength(0);
        _fontsUsed.Clear();
    }

    public void Dispose() => _operators.Dispose();

    /// <summary>A byte of a literal string: the string's delimiters and line ends escaped, anything else as it is.</summary>
    private void Code(byte value)
    {
        switch (value)
        {
            case (byte)'(' or (byte)')' or (byte)'\\':
                _operators.WriteByte((byte)'\\');
                _operators.WriteByte(value);
                break;
            case (byte)'\r':
                _operators.WriteByte((byte)'\\');
                _operators.WriteByte((byte)'r');
                break;
            case (byte)'\n':
                _operators.WriteByte((byte)'\\');
                _operators.WriteByte((byte)'n');
                break;
            default:
                _operators.WriteByte(value);
                break;
        }
    }

    private void Ascii(string text) => _operators.Write(Encoding.ASCII.GetBytes(text));

    private void Raw(ReadOnlySpan<byte> bytes) => _operators.Write(bytes);

    /// <summary>A number as PDF writes it, to three decimals, without allocating: a statement draws a million of them.</summary>
    private void Num(double value)
    {
        Span<byte> digits = stackalloc byte[32];
        if (!value.TryFormat(digits, out var length, "0.###", CultureInfo.InvariantCulture))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Not a coordinate.");
        }

        _operators.Write(digits[..length]);
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
