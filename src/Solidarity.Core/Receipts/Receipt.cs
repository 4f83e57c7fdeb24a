namespace Solidarity.Core.Receipts;

public enum ReceiptKind
{
    Receipt,

    /// <summary>Issued for a refund; refers to the original receipt, which stays valid and unchanged.</summary>
    CreditNote,
}

/// <summary>
/// A numbered PDF document given to a donor. A donation has at most one receipt, and each refund at most
/// one credit note; the PDF is rendered once, when the number is taken, and never rendered again.
/// </summary>
public sealed class Receipt : IEmailedDocument
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid DonationId { get; set; }
    public ReceiptKind Kind { get; set; }

    /// <summary>"SOL-2026-000042" or "SOL-CN-2026-000007": gap-free within its series and year.</summary>
    public required string Number { get; set; }

    /// <summary>For a credit note: the refund it answers (Stripe's re_… id, or the key of an offline reversal).</summary>
    public string? RefundKey { get; set; }

    /// <summary>For a credit note: the receipt it corrects.</summary>
    public Guid? OriginalReceiptId { get; set; }

    /// <summary>
    /// The amount the document states: for a receipt, what the donor was charged (the gift and any card fee they covered);
    /// for a credit note, what it credits back.
    /// </summary>
    public long AmountPence { get; set; }
    public string Currency { get; set; } = Money.Gbp;
    public DateTimeOffset IssuedAt { get; set; }
    public required byte[] Pdf { get; set; }

    /// <summary>SHA-256 of the latest download token sent to the donor; the token itself is never stored.</summary>
    public byte[]? DownloadTokenHash { get; set; }
    public DateTimeOffset? DownloadTokenExpiresAt { get; set; }
}

/// <summary>
/// The next number of a series in a year. Taken with an update inside the transaction that inserts
/// the receipt, so the row lock orders concurrent issuers and a rollback gives the number back.
/// </summary>
public sealed class ReceiptCounter
{
    public required string Series { get; set; }
    public int Year { get; set; }
    public long Next { get; set; }
}
