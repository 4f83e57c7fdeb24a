using System.Runtime.InteropServices;
using HarfBuzzSharp;
using Microsoft.Extensions.Logging;
using Buffer = HarfBuzzSharp.Buffer;

namespace Solidarity.Web.Infrastructure.Pdf;

/// <summary>
/// A glyph as shaped, in thousandths of the font size: <paramref name="Cluster"/> to <paramref name="ClusterEnd"/>
/// is the text it stands for (with the other glyphs of its cluster); only the first glyph of a cluster carries it.
/// </summary>
internal readonly record struct ShapedGlyph(FontFace Face, ushort Glyph, int Cluster, int ClusterEnd, bool FirstOfCluster, float Advance, float XOffset, float YOffset);

/// <summary>Characters <paramref name="Start"/> to <paramref name="End"/> at one embedding level, with their glyphs left to right.</summary>
/// <param name="Complex">Whether copying the glyphs one by one would not give back the text: glyphs reordered,
/// split or merged across characters (Arabic joining, Devanagari conjuncts), right to left, or placeholders.</param>
internal sealed record ShapedRun(int Start, int End, byte Level, ShapedGlyph[] Glyphs, bool Complex);

/// <summary>
/// One paragraph of text (no line breaks) shaped for printing: split into runs by direction (the bidi algorithm)
/// and by face (the first of <see cref="PdfFonts"/> that has each character), each run shaped by HarfBuzz, so
/// letters join and marks sit where the script wants them. Widths are in points for a given font size.
/// </summary>
internal sealed class ShapedText
{
    /// <summary>Enough for the labels, dates and headings a document repeats; names and amounts mostly come once.</summary>
    private const int CacheLimit = 256;

    [ThreadStatic]
    private static Buffer? _buffer;

    [ThreadStatic]
    private static Dictionary<(string, bool), ShapedText>? _cache;

    private readonly float[] _advances;
    private readonly bool[] _clusterStarts;
    private PdfFonts? _fonts;

    private ShapedText(string text, byte paragraphLevel, IReadOnlyList<ShapedRun> runs)
    {
        Text = text;
        ParagraphLevel = paragraphLevel;
        Runs = runs;
        _advances = new float[text.Length + 1];
        _clusterStarts = new bool[text.Length + 1];
        _clusterStarts[text.Length] = true;
        foreach (var run in runs)
        {
            foreach (var glyph in run.Glyphs)
            {
                _advances[glyph.Cluster] += glyph.Advance;
                _clusterStarts[glyph.Cluster] = true;
            }
        }
    }

    /// <summary>The text as printed: NFC, tabs as spaces.</summary>
    public string Text { get; }

    public byte ParagraphLevel { get; }

    public IReadOnlyList<ShapedRun> Runs { get; }

    /// <summary>Shapes <paramref name="text"/> with the regular or bold faces of <paramref name="fonts"/> (the same text twice is shaped once per thread).</summary>
    public static ShapedText Shape(string text, bool bold, PdfFonts? fonts = null)
    {
        fonts ??= PdfFonts.Current;
        var cache = _cache ??= [];
        if (cache.TryGetValue((text, bold), out var shaped) && shaped._fonts == fonts)
        {
            return shaped;
        }

        if (cache.Count >= CacheLimit)
        {
            cache.Clear();
        }

        shaped = Build(text, bold ? fonts.Bold : fonts.Regular, fonts);
        shaped._fonts = fonts;
        cache[(text, bold)] = shaped;
        return shaped;
    }

    /// <summary>The width in points of characters <paramref name="start"/> to <paramref name="end"/> at <paramref name="size"/>.</summary>
    public double Width(int start, int end, double size)
    {
        double thousandths = 0;
        for (var i = start; i < end; i++)
        {
            thousandths += _advances[i];
        }

        return thousandths * size / 1000;
    }

    public double Width(double size) => Width(0, Text.Length, size);

    /// <summary>Whether a reader needs the text itself (/ActualText) to copy characters <paramref name="start"/> to <paramref name="end"/> back.</summary>
    public bool NeedsActualText(int start, int end) =>
        Runs.Any(r => r.Start < end && r.End > start && (r.Complex || r.Level % 2 == 1));

    /// <summary>
    /// Where the text wraps to fit <paramref name="width"/> points: at spaces, and between CJK characters, which
    /// break anywhere; a word wider than the line is cut between clusters. Lines leave out the spaces they break at.
    /// </summary>
    public IReadOnlyList<(int Start, int End)> Lines(double width, double size)
    {
        var lines = new List<(int, int)>();
        var limit = width * 1000 / size;
        var start = 0;
        var n = Text.Length;
        while (start < n)
        {
            while (start < n && Text[start] == ' ')
            {
                start++;
            }

            if (start >= n)
            {
                break;
            }

            var end = n;
            var lastBreak = -1;
            double used = 0;
            for (var i = start; i < n; i = NextCluster(i))
            {
                if (i > start && IsBreak(i))
                {
                    lastBreak = i;
                }

                used += Width(i, NextCluster(i), 1000);
                if (used > limit && i > start)
                {
                    end = lastBreak > start ? lastBreak : i;
                    break;
                }
            }

            var trimmed = end;
            while (trimmed > start && Text[trimmed - 1] == ' ')
            {
                trimmed--;
            }

            lines.Add((start, trimmed));
            start = end;
        }

        if (lines.Count == 0)
        {
            lines.Add((0, 0));
        }

        return lines;
    }

    /// <summary>The text cut to <paramref name="width"/> points, ending in an ellipsis when it had to be cut.</summary>
    public ShapedText Fit(double width, double size, bool bold, PdfFonts? fonts = null)
    {
        if (Width(size) <= width)
        {
            return this;
        }

        const string Ellipsis = "\u2026";
        var room = width - Shape(Ellipsis, bold, fonts).Width(size);
        var length = 0;
        for (var i = 0; i < Text.Length; i = NextCluster(i))
        {
            if (Width(0, NextCluster(i), size) > room)
            {
                break;
            }

            length = NextCluster(i);
        }

        return Shape(Text[..length].TrimEnd() + Ellipsis, bold, fonts);
    }

    /// <summary>The glyphs of characters <paramref name="start"/> to <paramref name="end"/> in the order they stand on the line, left to right (L2).</summary>
    public IEnumerable<ShapedGlyph> VisualGlyphs(int start, int end)
    {
        if (Runs.Count == 1 && Runs[0].Level == 0)
        {
            foreach (var glyph in Runs[0].Glyphs)
            {
                if (glyph.Cluster >= start && glyph.Cluster < end)
                {
                    yield return glyph;
                }
            }

            yield break;
        }

        var pieces = Runs.Where(r => r.Start < end && r.End > start).ToList();
        foreach (var index in Bidi.VisualOrder(pieces.Select(p => p.Level).ToList()))
        {
            foreach (var glyph in pieces[index].Glyphs)
            {
                if (glyph.Cluster >= start && glyph.Cluster < end)
                {
                    yield return glyph;
                }
            }
        }
    }

    private int NextCluster(int i)
    {
        i++;
        while (i < Text.Length && !_clusterStarts[i])
        {
            i++;
        }

        return i;
    }

    private bool IsBreak(int i) =>
        Text[i] == ' ' || Text[i - 1] == ' ' || IsCjk(Text[i]) || IsCjk(Text[i - 1]);

    /// <summary>Han, kana, Hangul and their punctuation: text that may wrap between any two characters.</summary>
    private static bool IsCjk(char c) => c is >= '\u2E80' and <= '\u9FFF' or >= '\uAC00' and <= '\uD7AF' or >= '\uF900' and <= '\uFAFF' or >= '\uFF00' and <= '\uFFEF';

    private static ShapedText Build(string original, IReadOnlyList<FontFace> faces, PdfFonts fonts)
    {
        var text = Clean(original);
        if (text.Length == 0)
        {
            return new ShapedText(text, 0, []);
        }

        byte paragraphLevel = 0;
        byte[]? levels = null;
        if (Bidi.HasRightToLeft(text))
        {
            paragraphLevel = Bidi.ParagraphLevel(text);
            levels = Bidi.Levels(text, paragraphLevel);
        }

        // Each character's face: the face of the run it is in when that face has it and it belongs to no script of its
        // own (spaces, punctuation, digits, marks), else the first face that has it; null when none has it.
        var runs = new List<ShapedRun>();
        FontFace? current = null;
        var runStart = 0;
        byte runLevel = levels?[0] ?? 0;
        var runPlaceholder = false;
        for (var i = 0; i < text.Length;)
        {
            var rune = Rune.GetRuneAt(text, i);
            var level = levels?[i] ?? 0;
            FontFace? face;
            if (current is not null && (IsInherited(rune) || (IsCommon(rune) && current.Has(rune.Value))))
            {
                face = current;
            }
            else
            {
                face = FirstWith(faces, rune.Value);
            }

            var placeholder = face is null && !IsInherited(rune);
            if (i > 0 && (face != current || level != runLevel || placeholder || runPlaceholder))
            {
                runs.Add(ShapeRun(text, runStart, i, runLevel, current, fonts, runPlaceholder));
                runStart = i;
            }

            if (placeholder)
            {
                fonts.Logger.LogWarning("No PDF font has U+{CodePoint:X4}; the document prints {Placeholder} in its place.", rune.Value, $"U+{fonts.Placeholder.CodePoint:X4}");
            }

            current = face ?? current;
            runLevel = level;
            runPlaceholder = placeholder;
            i += rune.Utf16SequenceLength;
        }

        runs.Add(ShapeRun(text, runStart, text.Length, runLevel, current, fonts, runPlaceholder));
        return new ShapedText(text, paragraphLevel, runs);
    }

    private static ShapedRun ShapeRun(string text, int start, int end, byte level, FontFace? face, PdfFonts fonts, bool placeholder)
    {
        if (placeholder || face is null)
        {
            var (placeholderFace, glyph, _) = fonts.Placeholder;
            var advance = placeholderFace.Advance(glyph) * 1000f / placeholderFace.UnitsPerEm;
            return new ShapedRun(start, end, level, [new ShapedGlyph(placeholderFace, glyph, start, end, true, advance, 0, 0)], Complex: true);
        }

        var buffer = _buffer ??= new Buffer();
        buffer.ClearContents();
        buffer.AddUtf16(text.AsSpan(), start, end - start);
        buffer.Direction = level % 2 == 1 ? Direction.RightToLeft : Direction.LeftToRight;
        buffer.GuessSegmentProperties();
        face.HarfBuzz.Shape(buffer);
        var infos = buffer.GetGlyphInfoSpan();
        var positions = buffer.GetGlyphPositionSpan();
        var scale = 1000f / face.UnitsPerEm;
        var glyphs = new ShapedGlyph[infos.Length];

        // HarfBuzz keeps clusters in order (rising left to right, falling right to left), so walking the glyphs from the
        // logical end back, each cluster ends where the one after it starts.
        var ends = new int[infos.Length];
        var rtl = level % 2 == 1;
        var after = -1;
        var afterEnd = end;
        for (var k = infos.Length - 1; k >= 0; k--)
        {
            var i = rtl ? infos.Length - 1 - k : k;
            var cluster = (int)infos[i].Cluster;
            if (cluster != after)
            {
                afterEnd = after < 0 ? end : after;
                after = cluster;
            }

            ends[i] = afterEnd;
        }

        var complex = false;
        for (var i = 0; i < infos.Length; i++)
        {
            var cluster = (int)infos[i].Cluster;
            var first = i == 0 || infos[i - 1].Cluster != infos[i].Cluster;
            complex |= !first;
            var glyph = (ushort)infos[i].Codepoint;
            var target = face;
            if (glyph == 0)
            {
                // A character HarfBuzz found no glyph for in the run's face (a mark the face lacks): the placeholder.
                (target, glyph, _) = fonts.Placeholder;
                complex = true;
                fonts.Logger.LogWarning("No PDF font has U+{CodePoint:X4} in {Face}; the document prints a placeholder in its place.", char.ConvertToUtf32(text, cluster), face.FileName);
            }

            var advance = target == face ? positions[i].XAdvance * scale : target.Advance(glyph) * 1000f / target.UnitsPerEm;
            glyphs[i] = new ShapedGlyph(target, glyph, cluster, ends[i], first, advance, positions[i].XOffset * scale, positions[i].YOffset * scale);
        }

        return new ShapedRun(start, end, level, glyphs, complex);
    }

    private static FontFace? FirstWith(IReadOnlyList<FontFace> faces, int codePoint)
    {
        for (var i = 0; i < faces.Count; i++)
        {
            if (faces[i].Has(codePoint))
            {
                return faces[i];
            }
        }

        return null;
    }

    /// <summary>NFC, as names are compared and copied; tabs and other controls print as spaces.</summary>
    private static string Clean(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\0', '\u001F') >= 0 || text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0)
        {
            // A surrogate without its pair is no character at all: it prints as U+FFFD, as a decoder would show it.
            var cleaned = new StringBuilder(text.Length);
            foreach (var rune in text.EnumerateRunes())
            {
                cleaned.Append(rune.Value < ' ' ? " " : rune.ToString());
            }

            text = cleaned.ToString();
        }

        return text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
    }

    /// <summary>Marks, joiners and variation selectors: they belong to the character before them and take its face.</summary>
    private static bool IsInherited(Rune rune) =>
        rune.Value is 0x200C or 0x200D or >= 0xFE00 and <= 0xFE0F or >= 0xE0100 and <= 0xE01EF
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark;

    /// <summary>Characters of no script of their own (spaces, punctuation, digits, symbols): they stay in the face around them.</summary>
    private static bool IsCommon(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.SpaceSeparator or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation
            or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol
            or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol
        && rune.Value < 0x0600;
}
