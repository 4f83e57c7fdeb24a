namespace Solidarity.Core.Remittances;

/// <summary>
/// A bank transfer to a branch that pays (part of) a statement. Recording it posts a negative
/// Remittance entry to the ledger in the same transaction; the branch officer later confirms it arrived.
/// </summary>
public sealed class RemittancePayment
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid StatementId { get; set; }
    public Guid BranchId { get; set; }
    public long AmountPence { get; set; }
    public string Currency { get; set; } = Money.Gbp;

    /// <summary>The day the transfer was made, as the bank statement shows it (a London date).</summary>
    public DateOnly PaidOn { get; set; }

    /// <summary>
    /// The bank's reference for the transfer, as typed. A treasurer may use the same one every week ("STRIKE FUND", the
    /// branch's code): one transfer is the branch, the day, the amount and the reference (<see cref="ReferenceKey"/>)
    /// together, which a bank statement lists once.
    /// </summary>
    public required string BankReference { get; set; }

    /// <summary>The reference upper-cased with only its letters and digits, so "abc 123", "ABC-123" and "ABC123" are one.</summary>
    public required string ReferenceKey { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public Guid RecordedByUserId { get; set; }
    public required string RecordedByName { get; set; }

    public DateTimeOffset? ConfirmedAt { get; set; }
    public Guid? ConfirmedByUserId { get; set; }
    public string? ConfirmedByName { get; set; }

    public static string NormaliseReference(string reference) =>
        string.Concat(reference.Where(char.IsLetterOrDigit)).ToUpperInvariant();
}
