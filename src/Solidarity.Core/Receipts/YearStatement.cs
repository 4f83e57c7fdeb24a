namespace Solidarity.Core.Receipts;

/// <summary>
/// A donor's statement of one calendar year's giving, asked for on the site or sent in January: which gifts it covers,
/// and the link that was emailed for it. The PDF is made when the link is opened, from the gifts named here, so the
/// table holds no name and no address: the donor is known only by <see cref="AddressKey"/>, a keyed hash, which an
/// erasure clears.
/// </summary>
public sealed class YearStatement : IEmailedDocument
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>The calendar year, in London time.</summary>
    public int Year { get; set; }

    /// <summary>The keyed hash of the lower-cased address it was asked for; null once the donor was erased.</summary>
    public string? AddressKey { get; set; }

    /// <summary>
    /// Why it was made, which with the address and the year is unique, so a repeat makes no second email:
    /// "asked:2027-01-05" for a request on the site (one a day), "january" for the yearly mailing (one a year).
    /// </summary>
    public required string Occasion { get; set; }

    /// <summary>The gifts of that year from that address when the statement was made.</summary>
    public List<Guid> DonationIds { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the donor's personal data was erased: the statement is no longer given.</summary>
    public DateTimeOffset? ErasedAt { get; set; }

    /// <summary>SHA-256 of the token in the emailed link; the token itself is never stored.</summary>
    public byte[]? DownloadTokenHash { get; set; }
    public DateTimeOffset? DownloadTokenExpiresAt { get; set; }
}
