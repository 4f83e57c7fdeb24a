using System.Buffers.Binary;
using HarfBuzzSharp;

namespace Solidarity.Web.Infrastructure.Pdf;

/// <summary>
/// One TrueType face read from disk: HarfBuzz shapes text with it, and <see cref="Subset"/> cuts from it the glyphs
/// a document used, to embed. Immutable once loaded, so every document on every thread shares it.
/// </summary>
internal sealed class FontFace : IDisposable
{
    private readonly Dictionary<string, (int Offset, int Length)> _tables;
    private readonly bool _longLoca;
    private readonly int _metricsCount;
    private readonly Blob _blob;
    private readonly Face _face;

    /// <summary>
    /// The file is mapped by HarfBuzz and read in place, outside the managed heap: the faces are megabytes (the CJK
    /// ones several), and a document reads only the few glyphs it uses.
    /// </summary>
    private FontFace(string path)
    {
        Path = path;
        FileName = System.IO.Path.GetFileName(path);
        _blob = Blob.FromFile(path);
        _blob.MakeImmutable();
        try
        {
            _tables = ReadTableDirectory(_blob.AsSpan());
            if (!_tables.ContainsKey("glyf") || !_tables.ContainsKey("loca"))
            {
                throw new InvalidDataException($"{FileName} has no TrueType outlines (glyf table); PDF documents can embed only TrueType faces.");
            }

            var head = Table("head");
            UnitsPerEm = BinaryPrimitives.ReadUInt16BigEndian(head.Slice(18));
            BoundingBox = [ReadInt16(head, 36), ReadInt16(head, 38), ReadInt16(head, 40), ReadInt16(head, 42)];
            _longLoca = ReadInt16(head, 50) == 1;
            GlyphCount = BinaryPrimitives.ReadUInt16BigEndian(Table("maxp").Slice(4));
            var hhea = Table("hhea");
            Ascender = ReadInt16(hhea, 4);
            Descender = ReadInt16(hhea, 6);
            _metricsCount = BinaryPrimitives.ReadUInt16BigEndian(hhea.Slice(34));
            if (UnitsPerEm == 0 || _metricsCount == 0 || Table("loca").Length < (GlyphCount + 1) * (_longLoca ? 4 : 2) || Table("hmtx").Length < _metricsCount * 4)
            {
                throw new InvalidDataException($"{FileName} has inconsistent tables.");
            }
        }
        catch
        {
            _blob.Dispose();
            throw;
        }

        _face = new Face(_blob, 0);
        _face.MakeImmutable();
        HarfBuzz = new HarfBuzzSharp.Font(_face);
        HarfBuzz.SetScale(UnitsPerEm, UnitsPerEm);
    }

    public string Path { get; }

    /// <summary>"NotoSans-Regular.ttf".</summary>
    public string FileName { get; }

    /// <summary>The name a PDF gives the embedded face: the file's name without its extension, e.g. "NotoSans-Regular".</summary>
    public string PostScriptName => new(System.IO.Path.GetFileNameWithoutExtension(FileName).Where(c => c is > ' ' and < (char)127 and not ('(' or ')' or '<' or '>' or '[' or ']' or '{' or '}' or '/' or '%' or '#')).ToArray());

    public int UnitsPerEm { get; }

    public int GlyphCount { get; }

    public short Ascender { get; }

    public short Descender { get; }

    /// <summary>xMin, yMin, xMax, yMax in font units.</summary>
    public short[] BoundingBox { get; }

    /// <summary>Shapes text with this face; scaled to font units.</summary>
    public HarfBuzzSharp.Font HarfBuzz { get; }

    public static FontFace Load(string path) => new(path);

    /// <summary>The face's own glyph for a character, if it has one.</summary>
    public bool TryGetGlyph(int codePoint, out ushort glyph)
    {
        if (HarfBuzz.TryGetGlyph(codePoint, out var found) && found != 0)
        {
            glyph = (ushort)found;
            return true;
        }

        glyph = 0;
        return false;
    }

    public bool Has(int codePoint) => TryGetGlyph(codePoint, out _);

    /// <summary>The glyph's advance in font units, as the embedded face's metrics will state it.</summary>
    public int Advance(ushort glyph) =>
        glyph >= GlyphCount ? 0 : BinaryPrimitives.ReadUInt16BigEndian(Table("hmtx").Slice(Math.Min(glyph, _metricsCount - 1) * 4));

    private short LeftBearing(ushort glyph)
    {
        if (glyph >= GlyphCount)
        {
            return 0;
        }

        var hmtx = Table("hmtx");
        var at = glyph < _metricsCount ? glyph * 4 + 2 : _metricsCount * 4 + (glyph - _metricsCount) * 2;
        return at + 2 <= hmtx.Length ? ReadInt16(hmtx, at) : (short)0;
    }

    private int Location(int glyph) =>
        _longLoca ? (int)BinaryPrimitives.ReadUInt32BigEndian(Table("loca").Slice(glyph * 4)) : BinaryPrimitives.ReadUInt16BigEndian(Table("loca").Slice(glyph * 2)) * 2;

    public void Dispose()
    {
        HarfBuzz.Dispose();
        _face.Dispose();
        _blob.Dispose();
    }

    /// <summary>
    /// A TrueType font holding only <paramref name="glyphs"/>, renumbered: glyph <c>i</c> of the subset is
    /// <c>glyphs[i]</c> of this face (<c>glyphs[0]</c> must be 0, the .notdef). The parts of composite glyphs are
    /// appended to <paramref name="glyphs"/> as they are found. Hinting is left out: PDF readers scale outlines
    /// themselves, and the instructions are a large part of a face's bytes.
    /// </summary>
    public byte[] Subset(List<ushort> glyphs)
    {
        var newIndex = new Dictionary<ushort, ushort>();
        for (var i = 0; i < glyphs.Count; i++)
        {
            newIndex.TryAdd(glyphs[i], (ushort)i);
        }

        var glyf = Table("glyf");
        var outlines = new List<byte[]>();
        for (var i = 0; i < glyphs.Count; i++)
        {
            var old = glyphs[i];
            var start = old < GlyphCount ? Location(old) : 0;
            var end = old < GlyphCount ? Location(old + 1) : 0;
            outlines.Add(end > start ? Outline(glyf.Slice(start, end - start), glyphs, newIndex) : []);
        }

        var count = glyphs.Count;
        var loca = new byte[(count + 1) * 4];
        using var glyfOut = new MemoryStream();
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(loca.AsSpan(i * 4), (uint)glyfOut.Length);
            glyfOut.Write(outlines[i]);
            if (glyfOut.Length % 4 != 0)
            {
                glyfOut.Write(new byte[4 - glyfOut.Length % 4]);
            }
        }

        BinaryPrimitives.WriteUInt32BigEndian(loca.AsSpan(count * 4), (uint)glyfOut.Length);

        var hmtx = new byte[count * 4];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(hmtx.AsSpan(i * 4), (ushort)Advance(glyphs[i]));
            BinaryPrimitives.WriteInt16BigEndian(hmtx.AsSpan(i * 4 + 2), LeftBearing(glyphs[i]));
        }

        var head = Table("head").ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(head.AsSpan(8), 0);
        BinaryPrimitives.WriteInt16BigEndian(head.AsSpan(50), 1);
        var hhea = Table("hhea").ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(hhea.AsSpan(34), (ushort)count);
        var maxp = Table("maxp").ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(maxp.AsSpan(4), (ushort)count);

        var tables = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["glyf"] = glyfOut.ToArray(),
            ["head"] = head,
            ["hhea"] = hhea,
            ["hmtx"] = hmtx,
            ["loca"] = loca,
            ["maxp"] = maxp,
        };
        return WriteFont(tables);
    }

    /// <summary>A glyph's outline without its instructions, its composite parts renumbered (and added to the subset).</summary>
    private static byte[] Outline(ReadOnlySpan<byte> glyph, List<ushort> glyphs, Dictionary<ushort, ushort> newIndex)
    {
        var contours = ReadInt16(glyph, 0);
        if (contours >= 0)
        {
            var endPoints = 10 + contours * 2;
            var instructionLength = BinaryPrimitives.ReadUInt16BigEndian(glyph.Slice(endPoints));
            var rest = glyph[(endPoints + 2 + instructionLength)..];
            var simple = new byte[endPoints + 2 + rest.Length];
            glyph[..endPoints].CopyTo(simple);
            rest.CopyTo(simple.AsSpan(endPoints + 2));
            return simple;
        }

        const ushort ArgsAreWords = 0x0001, HaveScale = 0x0008, MoreComponents = 0x0020, HaveXYScale = 0x0040, HaveTwoByTwo = 0x0080, HaveInstructions = 0x0100;
        var composite = glyph.ToArray();
        var at = 10;
        ushort flags;
        do
        {
            flags = BinaryPrimitives.ReadUInt16BigEndian(composite.AsSpan(at));
            BinaryPrimitives.WriteUInt16BigEndian(composite.AsSpan(at), (ushort)(flags & ~HaveInstructions));
            var part = BinaryPrimitives.ReadUInt16BigEndian(composite.AsSpan(at + 2));
            if (!newIndex.TryGetValue(part, out var renumbered))
            {
                renumbered = (ushort)glyphs.Count;
                glyphs.Add(part);
                newIndex[part] = renumbered;
            }

            BinaryPrimitives.WriteUInt16BigEndian(composite.AsSpan(at + 2), renumbered);
            at += 4 + ((flags & ArgsAreWords) != 0 ? 4 : 2);
            at += (flags & HaveScale) != 0 ? 2 : (flags & HaveXYScale) != 0 ? 4 : (flags & HaveTwoByTwo) != 0 ? 8 : 0;
        }
        while ((flags & MoreComponents) != 0);

        return composite[..at];
    }

    private static byte[] WriteFont(SortedDictionary<string, byte[]> tables)
    {
        var count = tables.Count;
        var searchRange = 1;
        var selector = 0;
        while (searchRange * 2 <= count)
        {
            searchRange *= 2;
            selector++;
        }

        searchRange *= 16;
        var headerLength = 12 + 16 * count;
        var length = headerLength + tables.Values.Sum(t => (t.Length + 3) & ~3);
        var font = new byte[length];
        var span = font.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, 0x00010000);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], (ushort)count);
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], (ushort)searchRange);
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], (ushort)selector);
        BinaryPrimitives.WriteUInt16BigEndian(span[10..], (ushort)(count * 16 - searchRange));
        var record = 12;
        var offset = headerLength;
        foreach (var (tag, data) in tables)
        {
            for (var i = 0; i < 4; i++)
            {
                font[record + i] = (byte)tag[i];
            }

            data.CopyTo(span[offset..]);
            BinaryPrimitives.WriteUInt32BigEndian(span[(record + 4)..], Checksum(span.Slice(offset, (data.Length + 3) & ~3)));
            BinaryPrimitives.WriteUInt32BigEndian(span[(record + 8)..], (uint)offset);
            BinaryPrimitives.WriteUInt32BigEndian(span[(record + 12)..], (uint)data.Length);
            record += 16;
            offset += (data.Length + 3) & ~3;
        }

        return font;
    }

    private static uint Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 4 <= data.Length; i += 4)
        {
            sum += BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
        }

        return sum;
    }

    private ReadOnlySpan<byte> Table(string tag) =>
        _tables.TryGetValue(tag, out var table)
            ? _blob.AsSpan().Slice(table.Offset, table.Length)
            : throw new InvalidDataException($"{FileName} has no {tag} table.");

    private static Dictionary<string, (int, int)> ReadTableDirectory(ReadOnlySpan<byte> data)
    {
        var count = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
        var tables = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var record = data[(12 + i * 16)..];
            var tag = System.Text.Encoding.ASCII.GetString(record[..4]);
            var (offset, length) = ((int)BinaryPrimitives.ReadUInt32BigEndian(record[8..]), (int)BinaryPrimitives.ReadUInt32BigEndian(record[12..]));
            if (offset < 0 || length < 0 || offset + length > data.Length)
            {
                throw new InvalidDataException($"The {tag} table lies outside the file.");
            }

            tables[tag] = (offset, length);
        }

        return tables;
    }

    private static short ReadInt16(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadInt16BigEndian(data[offset..]);
}
