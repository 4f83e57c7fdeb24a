namespace Solidarity.Web.Infrastructure.Pdf;

/// <summary>
/// The Unicode bidirectional algorithm (UAX #9) for the text a document prints: one paragraph at a time, its
/// direction from its first strong character (P2, P3), the weak and neutral rules (W1 to W7, N1, N2), the implicit
/// levels (I1, I2) and the reordering of a line (L2). Explicit embeddings, overrides and isolates (U+202A to
/// U+202E, U+2066 to U+2069) are not honoured: they are ignored like the boundary-neutral characters, so a name
/// cannot turn the rest of a line around. Names, addresses and messages need no more than the implicit rules.
/// </summary>
internal static class Bidi
{
    internal enum BidiClass : byte
    {
        L, R, AL, EN, ES, ET, AN, CS, NSM, BN, B, S, WS, ON,
    }

    /// <summary>0 for a left-to-right paragraph, 1 for right-to-left: the direction of its first strong character (P2, P3).</summary>
    public static byte ParagraphLevel(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            switch (Classify(rune.Value))
            {
                case BidiClass.L:
                    return 0;
                case BidiClass.R or BidiClass.AL:
                    return 1;
            }
        }

        return 0;
    }

    /// <summary>Whether any character of <paramref name="text"/> is written right to left.</summary>
    public static bool HasRightToLeft(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (Classify(rune.Value) is BidiClass.R or BidiClass.AL)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The embedding level of each UTF-16 unit of <paramref name="text"/>, a paragraph at <paramref name="paragraphLevel"/>.</summary>
    public static byte[] Levels(string text, byte paragraphLevel)
    {
        var n = text.Length;
        var levels = new byte[n];
        if (n == 0)
        {
            return levels;
        }

        var types = new BidiClass[n];
        var original = new BidiClass[n];
        for (var i = 0; i < n;)
        {
            var rune = Rune.GetRuneAt(text, i);
            var type = Classify(rune.Value);
            for (var j = 0; j < rune.Utf16SequenceLength; j++)
            {
                types[i + j] = type;
                original[i + j] = type;
            }

            i += rune.Utf16SequenceLength;
        }

        var direction = paragraphLevel % 2 == 0 ? BidiClass.L : BidiClass.R;

        // W1, with the boundary neutrals (X9) taking the class of what precedes them as marks do.
        for (var i = 0; i < n; i++)
        {
            if (types[i] is BidiClass.NSM or BidiClass.BN)
            {
                types[i] = i == 0 ? direction : types[i - 1];
            }
        }

        // W2, W3.
        NumbersAfterStrong(types, direction, BidiClass.AL, BidiClass.AN);
        for (var i = 0; i < n; i++)
        {
            if (types[i] == BidiClass.AL)
            {
                types[i] = BidiClass.R;
            }
        }

        // W4: a single separator between two numbers of the same kind joins them.
        for (var i = 1; i < n - 1; i++)
        {
            if (types[i] == BidiClass.ES && types[i - 1] == BidiClass.EN && types[i + 1] == BidiClass.EN)
            {
                types[i] = BidiClass.EN;
            }
            else if (types[i] == BidiClass.CS && types[i - 1] == types[i + 1] && types[i - 1] is BidiClass.EN or BidiClass.AN)
            {
                types[i] = types[i - 1];
            }
        }

        // W5: terminators (currency signs, per cent) next to European numbers become numbers.
        for (var i = 0; i < n; i++)
        {
            if (types[i] != BidiClass.ET)
            {
                continue;
            }

            var end = i;
            while (end < n && types[end] == BidiClass.ET)
            {
                end++;
            }

            if ((i > 0 && types[i - 1] == BidiClass.EN) || (end < n && types[end] == BidiClass.EN))
            {
                Array.Fill(types, BidiClass.EN, i, end - i);
            }

            i = end - 1;
        }

        // W6, W7.
        for (var i = 0; i < n; i++)
        {
            if (types[i] is BidiClass.ES or BidiClass.ET or BidiClass.CS)
            {
                types[i] = BidiClass.ON;
            }
        }

        NumbersAfterStrong(types, direction, BidiClass.L, BidiClass.L);

        // N1, N2: a run of neutrals between two characters of one direction takes it, else the paragraph's.
        for (var i = 0; i < n; i++)
        {
            if (!IsNeutral(types[i]))
            {
                continue;
            }

            var end = i;
            while (end < n && IsNeutral(types[end]))
            {
                end++;
            }

            var before = i == 0 ? direction : Strong(types[i - 1]);
            var after = end == n ? direction : Strong(types[end]);
            Array.Fill(types, before == after ? before : direction, i, end - i);
            i = end - 1;
        }

        // I1, I2; L1 for separators and trailing whitespace.
        for (var i = 0; i < n; i++)
        {
            levels[i] = (paragraphLevel % 2, types[i]) switch
            {
                (0, BidiClass.R) => (byte)(paragraphLevel + 1),
                (0, BidiClass.AN or BidiClass.EN) => (byte)(paragraphLevel + 2),
                (1, BidiClass.L or BidiClass.EN or BidiClass.AN) => (byte)(paragraphLevel + 1),
                _ => paragraphLevel,
            };
        }

        for (var i = n - 1; i >= 0 && original[i] is BidiClass.WS or BidiClass.S or BidiClass.BN or BidiClass.B; i--)
        {
            levels[i] = paragraphLevel;
        }

        return levels;
    }

    /// <summary>L2: the visual order of pieces of a line given each piece's level, left to right.</summary>
    public static int[] VisualOrder(IReadOnlyList<byte> levels)
    {
        var order = Enumerable.Range(0, levels.Count).ToArray();
        if (levels.Count == 0)
        {
            return order;
        }

        var highest = levels.Max();
        var lowestOdd = levels.Where(l => l % 2 == 1).DefaultIfEmpty((byte)1).Min();
        for (var level = highest; level >= lowestOdd && level > 0; level--)
        {
            for (var i = 0; i < order.Length; i++)
            {
                if (levels[order[i]] < level)
                {
                    continue;
                }

                var end = i;
                while (end < order.Length && levels[order[end]] >= level)
                {
                    end++;
                }

                Array.Reverse(order, i, end - i);
                i = end;
            }
        }

        return order;
    }

    /// <summary>
    /// W2, W7: a European number whose nearest strong character before it (or the paragraph's direction, where there is
    /// none) is <paramref name="strong"/> becomes <paramref name="becomes"/>.
    /// </summary>
    private static void NumbersAfterStrong(BidiClass[] types, BidiClass direction, BidiClass strong, BidiClass becomes)
    {
        var lastStrong = direction;
        for (var i = 0; i < types.Length; i++)
        {
            if (types[i] is BidiClass.L or BidiClass.R or BidiClass.AL)
            {
                lastStrong = types[i];
            }
            else if (types[i] == BidiClass.EN && lastStrong == strong)
            {
                types[i] = becomes;
            }
        }
    }

    private static bool IsNeutral(BidiClass type) => type is BidiClass.B or BidiClass.S or BidiClass.WS or BidiClass.ON;

    /// <summary>For N1, numbers count as right-to-left.</summary>
    private static BidiClass Strong(BidiClass type) => type == BidiClass.L ? BidiClass.L : BidiClass.R;

    internal static BidiClass Classify(int c)
    {
        switch (c)
        {
            case >= '0' and <= '9' or >= 0x06F0 and <= 0x06F9 or >= 0x2070 and <= 0x2079 or >= 0x2080 and <= 0x2089:
                return BidiClass.EN;
            case >= 0x0660 and <= 0x0669 or 0x066B or 0x066C or >= 0x0600 and <= 0x0605 or 0x06DD:
                return BidiClass.AN;
            case '+' or '-' or 0x207A or 0x207B or 0x2212 or 0xFB29 or 0xFE62 or 0xFE63 or 0xFF0B or 0xFF0D:
                return BidiClass.ES;
            case '#' or '$' or '%' or >= 0xA2 and <= 0xA5 or 0xB0 or 0xB1 or 0x066A or >= 0x2030 and <= 0x2034 or >= 0x20A0 and <= 0x20CF:
                return BidiClass.ET;
            case ',' or '.' or '/' or ':' or 0xA0 or 0x060C or 0x202F or 0x2044 or 0xFE50 or 0xFE52 or 0xFE55 or 0xFF0C or 0xFF0E or 0xFF0F or 0xFF1A:
                return BidiClass.CS;
            case '\t' or 0x0B or 0x1F:
                return BidiClass.S;
            case '\n' or '\r' or 0x1C or 0x1D or 0x1E or 0x85 or 0x2029:
                return BidiClass.B;
            case ' ' or 0x0C or 0x1680 or >= 0x2000 and <= 0x200A or 0x2028 or 0x205F or 0x3000:
                return BidiClass.WS;
            case 0x200E:
                return BidiClass.L;
            case 0x200F:
                return BidiClass.R;
            case 0x061C:
                return BidiClass.AL;
            case < 0x20 or >= 0x7F and < 0xA0 or 0xAD or >= 0x200B and <= 0x200D or >= 0x202A and <= 0x202E or >= 0x2060 and <= 0x206F or 0xFEFF:
                return BidiClass.BN;
        }

        var category = CharUnicodeInfo.GetUnicodeCategory(c);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark)
        {
            return BidiClass.NSM;
        }

        if (c is >= 0x0590 and <= 0x05FF or >= 0x07C0 and <= 0x085F or >= 0xFB1D and <= 0xFB4F or >= 0x10800 and <= 0x10FFF or >= 0x1E800 and <= 0x1EDFF or >= 0x1EF00 and <= 0x1EFFF)
        {
            return BidiClass.R;
        }

        if (c is >= 0x0600 and <= 0x07BF or >= 0x0860 and <= 0x08FF or >= 0xFB50 and <= 0xFDCF or >= 0xFDF0 and <= 0xFDFF or >= 0xFE70 and <= 0xFEFF or >= 0x1EE00 and <= 0x1EEFF)
        {
            return BidiClass.AL;
        }

        return category switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter
                or UnicodeCategory.OtherLetter or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.DecimalDigitNumber
                or UnicodeCategory.LetterNumber or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned => BidiClass.L,
            _ => BidiClass.ON,
        };
    }
}
