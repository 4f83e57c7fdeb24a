using Microsoft.EntityFrameworkCore.Storage;

namespace Solidarity.Web.Pages.Admin.Donors;

/// <summary>What an erasure did, or why it did nothing.</summary>
internal abstract record ErasureOutcome
{
    internal sealed record Erased(int Donations, int Messages, int Receipts) : ErasureOutcome;

    /// <summary>No donation holds the address; <paramref name="ErasedAt"/> is when an earlier erasure of it ran, if one did.</summary>
    internal sealed record NothingHeld(DateTimeOffset? ErasedAt) : ErasureOutcome;

    /// <summary>The gift was given with an email address: its donor is erased by that address, with every gift from it.</summary>
    internal sealed record GivenWithEmail : ErasureOutcome;
}

/// <summary>
/// Erases a donor at their request: the person goes, the money stays. In one transaction their donations lose
/// name, email and display name (and the organisation's name unless it is kept as not a person's), the messages
/// they sent with them lose author, town and text, every receipt and credit note is rendered again under the
/// same number, date and amount without the name, and its download link stops working, as do the links to their
/// statements of giving. Ledger entries and amounts are not touched. The audit entry names the address only by its SHA-256.
/// </summary>
internal sealed class DonorErasure(
    SolidarityDbContext db, ReceiptFactsQuery factsQuery, CreditNoteQuery credits, ReceiptDocument document, AuditTrail audit,
    PublicPageCache cache, DonorAuditKey auditKey, ErasureBeyondTheRecords beyond, YearStatements statements, DonorRecords records,
    TimeProvider time)
{
    public const string MessageRemoved = "This message was removed at its author's request.";

    /// <summary>What replaces a failed delivery's error text, which may quote the address the server refused.</summary>
    public const string DeliveryErased = "Recipient erased at the donor's request.";

    public async Task<ErasureOutcome> EraseAsync(
        ClaimsPrincipal admin, string email, string reason, bool keepOrganisationName, CancellationToken cancellationToken)
    {
        var normalised = DonorEmail.Normalise(email);
        var hash = auditKey.For(email);
        var now = time.GetUtcNow();

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // The deliveries of every email that went to the donor before anything else (receipts and credit notes,
        // statements of giving, a paused gift's notice: DonorRecords.DeliveryKeysAsync). An email in flight holds its row
        // while it talks to the mail server, and commits a fresh download link when it is done, or its statement's, or a
        // monthly giver's link to manage the gift (locking the gift). Waiting for it here means the link it commits is
        // ended below with the rest; and taking these rows first keeps the order every email job takes.
        var keys = (await records.DeliveryKeysAsync(email, cancellationToken)).ToArray();
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""SELECT 1 FROM "EmailDeliveries" WHERE "Key" = ANY({keys}) ORDER BY "Key" FOR UPDATE""", cancellationToken);

        // Monthly gifts next, as a month's payment locks its gift before its donation; then the donations, so a second
        // erasure of the same address waits here and then finds nothing left to erase.
        var gifts = await db.MonthlyGifts
            .FromSql($"""SELECT * FROM "MonthlyGifts" WHERE lower("Email") = {normalised} ORDER BY "Id" FOR UPDATE""")
            .ToListAsync(cancellationToken);
        var donations = await LedgerLocks.DonationsByEmailAsync(db, normalised, cancellationToken);
        if (donations.Count == 0 && gifts.Count == 0)
        {
            return new ErasureOutcome.NothingHeld(await ErasedAtAsync(email, cancellationToken));
        }

        var (messages, receipts) = await ForgetAsync(donations, gifts, keepOrganisationName, now, cancellationToken);
        var ids = donations.Select(d => d.Id).ToList();

        // Statements of giving lose the address's key, and their links answer that the donor was erased.
        var addressKey = statements.AddressKey(email);
        await db.YearStatements
            .Where(s => s.AddressKey == addressKey || s.DonationIds.Any(id => ids.Contains(id)))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.AddressKey, (string?)null).SetProperty(x => x.ErasedAt, now), cancellationToken);

        await db.EmailDeliveries
            .Where(d => keys.Contains(d.Key) && d.LastError != null)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.LastError, DeliveryErased), cancellationToken);

        var erased = new ErasureOutcome.Erased(donations.Count, messages, receipts.Count);
        audit.Record(admin, AuditActions.DonorErased, DonorAuditSubjects.Donor, hash, new
        {
            EmailHmac = hash, erased.Donations, MonthlyGifts = gifts.Count, erased.Messages, erased.Receipts,
            KeptOrganisationName = keepOrganisationName, Reason = reason,
        });
        await CommitAsync(transaction, normalised, receipts, cancellationToken);
        return erased;
    }

    /// <summary>
    /// Erases the donor of one gift given without an email address (a cheque, a bank transfer or a collection recorded with
    /// the payer's name only), found by its receipt's number, as <see cref="EraseAsync"/> erases a donor found by their address:
    /// the gift loses the payer's name, display name and reference, the messages sent with it lose their author and words,
    /// and its receipt and credit notes are reissued without the name. With nothing to match other gifts by, it is the one
    /// gift. The audit entry names the gift by its id.
    /// </summary>
    public async Task<ErasureOutcome> EraseGiftAsync(
        ClaimsPrincipal admin, Guid donationId, string reason, bool keepOrganisationName, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var donation = (await LedgerLocks.DonationAsync(db, donationId, cancellationToken, withBranches: false))?.Donation;
        if (donation?.Email is not null)
        {
            return new ErasureOutcome.GivenWithEmail();
        }

        if (donation is null || donation.ErasedAt is not null)
        {
            return new ErasureOutcome.NothingHeld(donation?.ErasedAt);
        }

        var (messages, receipts) = await ForgetAsync([donation], [], keepOrganisationName, now, cancellationToken);
        var erased = new ErasureOutcome.Erased(1, messages, receipts.Count);
        audit.Record(admin, AuditActions.DonorErased, DonorAuditSubjects.Gift, donation.Id.ToString(), new
        {
            erased.Donations, erased.Messages, erased.Receipts, KeptOrganisationName = keepOrganisationName, Reason = reason,
        });
        await CommitAsync(transaction, null, receipts, cancellationToken);
        return erased;
    }

    /// <summary>
    /// Commits an erasure, then ends what still shows the donor outside the rows: this process's cached pages (the donor's
    /// messages may be on any dispute's), and what <see cref="ErasureBeyondTheRecords"/> reaches.
    /// </summary>
    private async Task CommitAsync(
        IDbContextTransaction transaction, string? normalisedEmail, IReadOnlyList<Receipt> receipts, CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await cache.EvictAllAsync(cancellationToken);
        await beyond.EraseAsync(normalisedEmail, receipts.Select(r => r.Id).ToList(), CancellationToken.None);
    }

    /// <summary>
    /// What erasing by address and erasing one gift share, on donations and monthly gifts this transaction holds locked:
    /// the person leaves the gifts and the messages sent with them, and every receipt and credit note of the gifts is
    /// reissued without the name. The money, and the organisation when kept, stay.
    /// </summary>
    /// <returns>How many messages lost their words, and the receipts and credit notes reissued.</returns>
    private async Task<(int Messages, List<Receipt> Receipts)> ForgetAsync(
        List<Donation> donations, List<MonthlyGift> gifts, bool keepOrganisationName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The key supporters are counted by goes too: an email's key moves, with its tallies, to a random one, so the
        // person can no longer be found by it and the number of supporters does not change. An organisation's key is
        // of its name, not of the person, and stays.
        var emailKeys = donations.Select(d => d.DonorKey).Concat(gifts.Select(g => g.DonorKey))
            .OfType<string>().Where(SupporterKeys.IsOfEmail).Distinct().ToList();
        var newKeys = emailKeys.ToDictionary(key => key, _ => SupporterKeys.Random());
        foreach (var (oldKey, newKey) in newKeys)
        {
            await db.DisputeSupporters.Where(s => s.DonorKey == oldKey)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.DonorKey, newKey), cancellationToken);
        }

        // The same for a one-off gift and a monthly one: the person goes; the money, and the organisation when kept, stay.
        void ForgetGiver(Gift gift)
        {
            gift.DonorKey = gift.DonorKey is { } key && newKeys.TryGetValue(key, out var newKey) ? newKey : gift.DonorKey;
            gift.DonorName = null;
            gift.Email = null;
            gift.PublicName = null;
            gift.OrganisationName = keepOrganisationName ? gift.OrganisationName : null;
        }

        foreach (var donation in donations)
        {
            ForgetGiver(donation);

            // An offline gift's reference ("cheque from J. Bloggs") and the reason it was reversed can name the payer;
            // the amount and method stay.
            donation.Reference = null;
            donation.ReversalReason = null;
            donation.ErasedAt = now;
        }

        // A monthly gift keeps running (cancelling it is the giver's choice, or an admin's at Stripe), but without the person:
        // its later payments are gifts with no name and no email, so no receipt is mailed.
        foreach (var gift in gifts)
        {
            ForgetGiver(gift);
            gift.UpdatedAt = now;
        }

        var ids = donations.Select(d => d.Id).ToList();
        var giftIds = gifts.Select(g => g.Id).ToList();
        var messages = await db.SupportMessages
            .Where(m => (m.DonationId != null && ids.Contains(m.DonationId.Value)) || (m.MonthlyGiftId != null && giftIds.Contains(m.MonthlyGiftId.Value)))
            .ToListAsync(cancellationToken);
        foreach (var message in messages)
        {
            // Who approved or rejected it, and when, outlives the text; a reason for rejecting it goes with the text, since it
            // can quote it or name its author.
            message.AuthorName = null;
            message.Town = null;
            message.OrganisationName = keepOrganisationName ? message.OrganisationName : null;
            message.Body = MessageRemoved;
            message.RejectionReason = message.RejectionReason is null ? null : SupportMessage.ReasonRemoved;
        }

        // Saved inside the transaction so that the receipt facts read below see the donor already gone.
        await db.SaveChangesAsync(cancellationToken);

        var receipts = await db.Receipts.Where(r => ids.Contains(r.DonationId)).ToListAsync(cancellationToken);
        await ReissueAsync(receipts, now, cancellationToken);
        return (messages.Count, receipts);
    }

    /// <summary>
    /// When this address was last erased, found through the audit log by the address's keyed hash, or by the bare
    /// SHA-256 that erasures recorded before the key was introduced.
    /// </summary>
    public Task<DateTimeOffset?> ErasedAtAsync(string email, CancellationToken cancellationToken)
    {
        string[] names = [auditKey.For(email), DonorEmail.LegacySha256(email)];
        return db.AuditEntries.AsNoTracking()
            .Where(a => a.SubjectType == DonorAuditSubjects.Donor && names.Contains(a.SubjectId) && a.Action == AuditActions.DonorErased)
            .OrderByDescending(a => a.At)
            .Select(a => (DateTimeOffset?)a.At)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Renders each receipt and credit note again from the erased donation: the numbers stay where they were in
    /// their gap-free series, and the books keep every document they had. Old download links stop working.
    /// </summary>
    private async Task ReissueAsync(IReadOnlyList<Receipt> receipts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var originals = receipts.Where(r => r.Kind == ReceiptKind.Receipt).ToDictionary(r => r.Id);

        var facts = new Dictionary<Guid, ReceiptFacts>();
        foreach (var receipt in receipts)
        {
            if (!facts.TryGetValue(receipt.DonationId, out var donation))
            {
                donation = await factsQuery.LoadAsync(receipt.DonationId, cancellationToken)
                    ?? throw new InvalidOperationException($"Donation {receipt.DonationId} of receipt {receipt.Number} is gone.");
                facts[receipt.DonationId] = donation;
            }

            if (receipt.Kind == ReceiptKind.Receipt)
            {
                receipt.Pdf = document.RenderReceipt(receipt.Number, receipt.IssuedAt, donation, reissuedAt: now);
            }
            else
            {
                var original = originals[receipt.OriginalReceiptId!.Value];

                // The amount as first issued: a refund that failed after its note was issued leaves the ledger at zero.
                var key = receipt.RefundKey!;
                var cause = CreditNoteKeys.IsOfflineReversal(key) ? CreditNoteCause.OfflineReversal : CreditNoteCause.Refund;
                var at = (await credits.LoadAsync(receipt.DonationId, key, cancellationToken))?.At ?? receipt.IssuedAt;
                var note = new CreditNoteFacts(key, new CreditOwed(cause, receipt.AmountPence, at), original.Number, original.IssuedAt);
                receipt.Pdf = document.RenderCreditNote(receipt.Number, receipt.IssuedAt, donation, note, reissuedAt: now);
            }

            receipt.DownloadTokenHash = null;
            receipt.DownloadTokenExpiresAt = null;
        }
    }
}
