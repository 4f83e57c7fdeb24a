namespace Solidarity.Web.Infrastructure.Forms;

/// <summary>An amount a person typed in pounds ("25", "12.50", "£1,000"), read the same way on every form.</summary>
internal static class TypedPounds
{
    /// <summary>
    /// The pence in <paramref name="text"/>, or the one thing to tell the person about it. Messages name the field as
    /// <paramref name="field"/> ("amount", "target") and the limits given: at least <paramref name="minimumPence"/>
    /// (a penny unless said), and at most <paramref name="maximumPence"/> where there is a most.
    /// </summary>
    public static PoundsReading Read(string? text, string field = "amount", long minimumPence = 1, long? maximumPence = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumPence, 1);
        var typed = text?.Trim() ?? "";
        var negative = typed.StartsWith('-');
        var unsigned = negative ? typed[1..] : typed;
        if (!Money.TryParsePounds(unsigned, out var money))
        {
            return PoundsReading.Refused(
                HasFractionsOfAPenny(unsigned) ? $"The {field} cannot include fractions of a penny: use at most two digits after the point."
                : HasPenceAfterAComma(unsigned) ? $"Write the {field} with a point before the pence, like 12.50."
                : $"Enter the {field} in pounds, like 12.50.");
        }

        if (negative || money.MinorUnits < minimumPence)
        {
            return PoundsReading.Refused(minimumPence == 1
                ? $"The {field} must be more than £0."
                : $"The {field} must be at least {Pounds(minimumPence)}.");
        }

        return maximumPence is { } most && money.MinorUnits > most
            ? PoundsReading.Refused($"The {field} cannot be more than {Pounds(most)}.")
            : new PoundsReading(money.MinorUnits, null);
    }

    /// <summary>An amount that would be good but for digits past the pence, such as "10.005".</summary>
    private static bool HasFractionsOfAPenny(string text)
    {
        var point = text.LastIndexOf('.');
        return point >= 0
            && text.Length - point > 3
            && !text.AsSpan(point + 1).ContainsAnyExceptInRange('0', '9')
            && Money.TryParsePounds(text[..(point + 3)], out _);
    }

    /// <summary>
    /// An amount written with a comma before its pence, as much of Europe writes it ("12,50", "1.000,50"): refused
    /// rather than read as thousands, with a word on why.
    /// </summary>
    private static bool HasPenceAfterAComma(string text)
    {
        var comma = text.LastIndexOf(',');
        return comma > 0 && text.Length - comma is 2 or 3 && !text.AsSpan(comma + 1).ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>An amount as the forms write it back: "£250", "£12.50".</summary>
    public static string Pounds(long pence) => Money.Pence(pence).Format(dropZeroPence: true);
}

/// <summary>Typed pounds read: the pence, or the <see cref="Problem"/> to show beside the field (and then no pence).</summary>
internal readonly record struct PoundsReading(long Pence, string? Problem)
{
    public static PoundsReading Refused(string problem) => new(0, problem);
}
