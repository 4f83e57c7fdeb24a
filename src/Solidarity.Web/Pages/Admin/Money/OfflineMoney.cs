namespace Solidarity.Web.Pages.Admin.Money;

/// <summary>Offline money as an admin recorded it, checked by the page.</summary>
internal sealed record OfflineGift(
    Guid EntryId, Guid DisputeId, Guid BranchId, DonationMethod Method, long Pence, DateTimeOffset ReceivedAt,
    string? PayerName, string? OrganisationName, string? Email, string? Reference);

/// <summary>
/// Offline money (cheques, bank transfers, collections): recording it as a paid donation with its ledger entry and
/// audit row in one transaction, and correcting a mistake (or a bounced cheque) by reversing entries, never by editing.
/// </summary>
internal sealed class OfflineMoney(
    SolidarityDbContext db, LedgerPostings ledger, SupporterKeys supporters, AuditTrail audit, ReceiptScheduler receipts,
    PublicPageCache cache, TimeProvider time)
{
    public static readonly DonationMethod[] Methods = [DonationMethod.Cheque, DonationMethod.BankTransfer, DonationMethod.Collection];

    public Task<bool> IsRecordedAsync(Guid entryId, CancellationToken cancellationToken) =>
        db.Donations.AnyAsync(d => d.Id == entryId, cancellationToken);

    /// <returns>False when the entry was already recorded (the same form posted twice): nothing was added.</returns>
    public async Task<bool> RecordAsync(OfflineGift gift, ClaimsPrincipal admin, CancellationToken cancellationToken)
    {
        var donation = new Donation
        {
            Id = gift.EntryId,
            DisputeId = gift.DisputeId,
            ChosenBranchId = gift.BranchId,
            Method = gift.Method,
            Status = DonationStatus.Paid,
            AmountPence = gift.Pence,
            DonorName = gift.PayerName,
            OrganisationName = gift.OrganisationName,
            Email = gift.Email,
            DonorKey = supporters.For(gift.Email, gift.OrganisationName),
            Reference = gift.Reference,
            CreatedAt = time.GetUtcNow(),
            PaidAt = gift.ReceivedAt,
            RecordedByUserId = Pages.Remittances.BranchOfficers.UserId(admin),
        };
        donation.Allocations.Add(new DonationAllocation { BranchId = gift.BranchId, AmountPence = gift.Pence });

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        LockedDonation locked;
        try
        {
            locked = await LedgerLocks.InsertDonationAsync(db, donation, cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // The same form posted twice at once: the other request recorded it.
            db.ChangeTracker.Clear();
            return false;
        }

        // The reference ("cheque 001234 from J. Bloggs") can name the payer, and the ledger and the audit log are never
        // edited: it is kept on the donation, which an erasure clears, and they point at the donation instead.
        await ledger.OfflineReceivedAsync(locked, gift.ReceivedAt, MethodLabel(gift.Method), cancellationToken);
        audit.Record(admin, AuditActions.OfflineRecorded, nameof(Donation), donation.Id.ToString(), new
        {
            donation.DisputeId, BranchId = gift.BranchId, Method = gift.Method.ToString(), donation.AmountPence,
            ReceivedOn = DateOnly.FromDateTime(Infrastructure.Hosting.LondonClock.ToLondon(gift.ReceivedAt).DateTime),
            HasReference = donation.Reference is not null,
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        receipts.DonationConfirmed(donation.Id);
        await cache.EvictDisputeAsync(donation.DisputeId, cancellationToken);
        return true;
    }

    /// <returns>Null when there is no such offline entry.</returns>
    public async Task<OfflineReversal?> ReverseAsync(
        Guid donationId, string reason, bool confirmOverdraw, ClaimsPrincipal admin, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = await LedgerLocks.DonationAsync(db, donationId, cancellationToken);
        if (locked is null || !Methods.Contains(locked.Donation.Method))
        {
            return null;
        }

        var outcome = await ledger.OfflineReversedAsync(locked, ReversalNote(locked.Donation.Method), confirmOverdraw, cancellationToken);
        if (outcome is not OfflineReversal.Reversed)
        {
            return outcome;
        }

        // The reason can name the payer, their bank or their account ("bounced: J. Bloggs's account closed"), as a
        // reference can: it is kept on the donation, which an erasure clears, and the ledger and audit log never hold it.
        // A donor already erased is found by no erasure or export again: their gift keeps no text that may name them.
        locked.Donation.ReversalReason = locked.Donation.ErasedAt is null ? reason : null;
        audit.Record(admin, AuditActions.OfflineReversed, nameof(Donation), donationId.ToString(), new
        {
            locked.Donation.AmountPence, Overdrawn = confirmOverdraw,
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        receipts.OfflineReversed(donationId);
        await cache.EvictDisputeAsync(locked.Donation.DisputeId, cancellationToken);
        return outcome;
    }

    /// <summary>The note on a reversal's ledger entries, as <see cref="MethodLabel"/> is on the gift's own.</summary>
    public static string ReversalNote(DonationMethod method) => $"{MethodLabel(method)} reversed";

    public static string MethodLabel(DonationMethod method) => method switch
    {
        DonationMethod.Cheque => "Cheque",
        DonationMethod.BankTransfer => "Bank transfer",
        DonationMethod.Collection => "Collection",
        _ => method.ToString(),
    };
}
