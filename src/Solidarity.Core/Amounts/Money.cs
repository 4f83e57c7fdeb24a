using System.Globalization;

namespace Solidarity.Core.Amounts;

/// <summary>An amount in integer minor units (pence) of one ISO 4217 currency.</summary>
public readonly record struct Money(long MinorUnits, string Currency)
{
    public const string Gbp = "GBP";

    private static readonly CultureInfo UkCulture = CultureInfo.GetCultureInfo("en-GB");

    public static Money Pence(long pence) => new(pence, Gbp);

    public static Money Zero => new(0, Gbp);

    public static Money operator +(Money a, Money b) => new(checked(a.MinorUnits + b.MinorUnits), SameCurrency(a, b));

    public static Money operator -(Money a, Money b) => new(checked(a.MinorUnits - b.MinorUnits), SameCurrency(a, b));

    public static Money operator -(Money a) => a with { MinorUnits = checked(-a.MinorUnits) };

    public bool IsNegative => MinorUnits < 0;

    /// <summary>"£1,234.56"; whole pounds drop the pence ("£250") when <paramref name="dropZeroPence"/>.</summary>
    public string Format(bool dropZeroPence = false)
    {
        if (Currency != Gbp)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{MinorUnits / 100m:N2} {Currency}");
        }

        var pounds = MinorUnits / 100m;
        return dropZeroPence && MinorUnits % 100 == 0
            ? pounds.ToString("C0", UkCulture)
            : pounds.ToString("C2", UkCulture);
    }

    public override string ToString() => Format();

    /// <summary>
    /// Parses what a person types as pounds ("25", "25.5", "£1,000.00") into pence.
    /// Refuses fractions of a penny, signs and anything that is not a number. A comma is read only as it separates
    /// thousands ("1,000", "25,000,000"): "12,50" is refused, never read as £1,250.
    /// </summary>
    public static bool TryParsePounds(string? text, out Money money)
    {
        money = Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var typed = text.Trim().TrimStart('£').Trim();
        if (typed.Any(c => !(char.IsAsciiDigit(c) || c == '.' || c == ',')))
        {
            return false;
        }

        var parts = typed.Split('.');
        if (parts.Length > 2 || (parts.Length == 2 && (parts[1].Length is 0 or > 2)) || !IsWholePounds(parts[0]))
        {
            return false;
        }

        parts[0] = parts[0].Replace(",", "", StringComparison.Ordinal);
        if (parts[0].Length + (parts.Length == 2 ? parts[1].Length + 1 : 0) > 15)
        {
            return false;
        }

        var pounds = long.Parse(parts[0], CultureInfo.InvariantCulture);
        var pence = parts.Length == 2 ? int.Parse(parts[1].PadRight(2, '0'), CultureInfo.InvariantCulture) : 0;
        money = Pence(pounds * 100 + pence);
        return true;
    }

    /// <summary>Digits, with commas if any between every group of three from the right ("1,000"; not "12,50" or "1,00,000").</summary>
    private static bool IsWholePounds(string text)
    {
        var groups = text.Split(',');
        return groups[0].Length is > 0
            && (groups.Length == 1 || (groups[0].Length <= 3 && groups.Skip(1).All(g => g.Length == 3)))
            && groups.All(g => g.All(char.IsAsciiDigit));
    }

    private static string SameCurrency(Money a, Money b) =>
        a.Currency == b.Currency ? a.Currency : throw new InvalidOperationException($"Cannot mix {a.Currency} and {b.Currency}.");
}
