using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Solidarity.Core.Data;
using Solidarity.Core.Ledger;
using Solidarity.Core.Receipts;

namespace Solidarity.Web.Pages.Receipts;

/// <summary>
/// Gives a refund its credit note: the refunded amount from the refund's ledger entries, a number from the
/// credit-note sequence, and a reference to the original receipt, which is left as it was. One per refund.
/// </summary>
internal sealed class IssueCreditNoteJob(
    SolidarityDbContext db,
    ReceiptFactsQuery factsQuery,
    ReceiptNumbers numbers,
    ReceiptDocument document,
    ReceiptScheduler scheduler,
    IOptions<ReceiptSettings> options,
    TimeProvider time,
    ILogger<IssueCreditNoteJob> logger)
{
    /// <param name="refundKey">Stripe's refund id (re_…): the StripeObjectId of the refund's ledger entries.</param>
    public async Task RunAsync(Guid donationId, string refundKey, CancellationToken cancellationToken)
    {
        var creditNoteId = await FindAsync(refundKey, cancellationToken)
            ?? await IssueAsync(donationId, refundKey, cancellationToken)
            ?? await FindAsync(refundKey, cancellationToken)
            ?? throw new InvalidOperationException($"The credit note for refund {refundKey} was neither found nor issued.");

        var key = SendReceiptEmailJob.DeliveryKey(creditNoteId);
        if (await db.EmailDeliveries.AnyAsync(d => d.Key == key && d.SentAt == null, cancellationToken))
        {
            scheduler.EmailReceipt(creditNoteId);
        }
    }

    private Task<Guid?> FindAsync(string refundKey, CancellationToken cancellationToken) =>
        db.Receipts.Where(r => r.RefundKey == refundKey).Select(r => (Guid?)r.Id).SingleOrDefaultAsync(cancellationToken);

    private async Task<Guid?> IssueAsync(Guid donationId, string refundKey, CancellationToken cancellationToken)
    {
        var original = await db.Receipts.AsNoTracking()
            .Where(r => r.DonationId == donationId && r.Kind == ReceiptKind.Receipt)
            .Select(r => new { r.Id, r.Number, r.IssuedAt })
            .SingleOrDefaultAsync(cancellationToken);
        var refund = await db.LedgerEntries.AsNoTracking()
            .Where(e => e.DonationId == donationId && e.Kind == LedgerEntryKind.Refund && e.StripeObjectId == refundKey)
            .GroupBy(e => e.StripeObjectId)
            .Select(g => new { Pence = -g.Sum(e => e.AmountPence), At = g.Min(e => e.OccurredAt) })
            .SingleOrDefaultAsync(cancellationToken);

        // Either may still be on its way (a refund can be reported before the receipt is issued): fail, and be retried.
        if (original is null || refund is null || refund.Pence <= 0)
        {
            throw new InvalidOperationException(
                $"Credit note for refund {refundKey} of donation {donationId} waits for " +
                (original is null ? "the donation's receipt." : "the refund's ledger entries."));
        }

        var facts = await factsQuery.LoadAsync(donationId, cancellationToken)
            ?? throw new InvalidOperationException($"Donation {donationId} is gone.");
        var issuedAt = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var number = await numbers.TakeAsync(options.Value.CreditNoteSeries, refund.At, cancellationToken);
        var creditNote = new Receipt
        {
            DonationId = donationId,
            Kind = ReceiptKind.CreditNote,
            Number = number,
            RefundKey = refundKey,
            OriginalReceiptId = original.Id,
            AmountPence = refund.Pence,
            Currency = facts.Currency,
            IssuedAt = issuedAt,
            Pdf = document.RenderCreditNote(number, facts, new CreditNoteFacts(refundKey, refund.Pence, refund.At, original.Number, original.IssuedAt)),
        };
        // False: another run issued it first, and rolling back returned our number to the sequence.
        if (!await IssuedDocuments.CommitAsync(db, transaction, creditNote, emailed: facts.Email is not null, cancellationToken))
        {
            return null;
        }

        logger.LogInformation("Credit note {Number} issued for refund {RefundKey} against receipt {Original}", number, refundKey, original.Number);
        return creditNote.Id;
    }
}
