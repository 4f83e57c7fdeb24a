using System.Buffers.Binary;
using System.Runtime.InteropServices;
using HarfBuzzSharp;

namespace Solidarity.Web.Infrastructure.Pdf;

/// <summary>
/// One TrueType face read from disk: HarfBuzz shapes text with it, and <see cref="Subset"/> cuts from it the glyphs
/// a document used, to embed. Immutable once loaded, so every document on every thread shares it.
/// </summary>
internal sealed class FontFace : IDisposable
{
    private readonly byte[] _data;
    private readonly Dictionary<string, (int Offset, int Length)> _tables;
    private readonly int[] _loca;
    private readonly ushort[] _advances;
    private readonly short[] _leftBearings;
    private readonly Blob _blob;
    private readonly Face _face;
    private GCHandle _pin;

    private FontFace(string path, byte[] data)
    {
        Path = path;
        FileName = System.IO.Path.GetFileName(path);
        _data = data;
        _tables = ReadTableDirectory(data);
        if (!_tables.ContainsKey("glyf") || !_tables.ContainsKey("loca"))
        {
            throw new InvalidDataException($"{FileName} has no TrueType outlines (glyf table); PDF documents can embed only TrueType faces.");
        }

        var head = Table("head");
        UnitsPerEm = BinaryPrimitives.ReadUInt16BigEndian(head.Slice(18));
        BoundingBox = [ReadInt16(head, 36), ReadInt16(head, 38), ReadInt16(head, 40), ReadInt16(head, 42)];
        var longLoca = ReadInt16(head, 50) == 1;
        GlyphCount = BinaryPrimitives.ReadUInt16BigEndian(Table("maxp").Slice(4));
        var hhea = Table("hhea");
        Ascender = ReadInt16(hhea, 4);
        Descender = ReadInt16(hhea, 6);
        var metricsCount = BinaryPrimitives.ReadUInt16BigEndian(hhea.Slice(34));

        var loca = Table("loca");
        _loca = new int[GlyphCount + 1];
        for (var i = 0; i <= GlyphCount; i++)
        {
            _loca[i] = longLoca ? (int)BinaryPrimitives.ReadUInt32BigEndian(loca.Slice(i * 4)) : BinaryPrimitives.ReadUInt16BigEndian(loca.Slice(i * 2)) * 2;
        }

        var hmtx = Table("hmtx");
        _advances = new ushort[GlyphCount];
        _leftBearings = new short[GlyphCount];
        for (var i = 0; i < GlyphCount; i++)
        {
            if (i < metricsCount)
            {
                _advances[i] = BinaryPrimitives.ReadUInt16BigEndian(hmtx.Slice(i * 4));
                _leftBearings[i] = ReadInt16(hmtx, i * 4 + 2);
            }
            else
            {
                _advances[i] = _advances[metricsCount - 1];
                var at = metricsCount * 4 + (i - metricsCount) * 2;
                _leftBearings[i] = at + 2 <= hmtx.Length ? ReadInt16(hmtx, at) : (short)0;
            }
        }

        // HarfBuzz reads the same bytes, pinned for the face's life, rather than a second copy of the file.
        _pin = GCHandle.Alloc(data, GCHandleType.Pinned);
        _blob = new Blob(_pin.AddrOfPinnedObject(), data.Length, MemoryMode.ReadOnly);
        _face = new Face(_blob, 0);
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

    public static FontFace Load(string path) => new(path, File.ReadAllBytes(path));

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
    public int Advance(ushort glyph) => glyph < _advances.Length ? _advances[glyph] : 0;

    public void Dispose()
    {
        HarfBuzz.Dispose();
        _face.Dispose();
        _blob.Dispose();
        if (_pin.IsAllocated)
        {
            _pin.Free();
        }
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
            var start = old < GlyphCount ? _loca[old] : 0;
            var end = old < GlyphCount ? _loca[old + 1] : 0;
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
            BinaryPrimitives.WriteInt16BigEndian(hmtx.AsSpan(i * 4 + 2), glyphs[i] < GlyphCount ? _leftBearings[glyphs[i]] : (short)0);
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
            ? _data.AsSpan(table.Offset, table.Length)
            : throw new InvalidDataException($"{FileName} has no {tag} table.");

    private static Dictionary<string, (int, int)> ReadTableDirectory(byte[] data)
    {
        var count = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(4));
        var tables = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var record = data.AsSpan(12 + i * 16);
            var tag = System.Text.Encoding.ASCII.GetString(record[..4]);
            tables[tag] = ((int)BinaryPrimitives.ReadUInt32BigEndian(record[8..]), (int)BinaryPrimitives.ReadUInt32BigEndian(record[12..]));
        }

        return tables;
    }

    private static short ReadInt16(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadInt16BigEndian(data[offset..]);
}
