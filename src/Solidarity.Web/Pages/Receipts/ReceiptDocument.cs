namespace Solidarity.Web.Pages.Receipts;

/// <summary>Everything a receipt or credit note states, gathered before its number is taken.</summary>
/// <param name="PaidAt">When the money was received: paid by card, or (offline) the date the admin gave.</param>
/// <param name="RecordedAt">When an admin recorded offline money, which can be days after it was received; null for card payments.</param>
internal sealed record ReceiptFacts(
    Guid DonationId,
    DonationStatus Status,
    string? Email,
    string ReceivedFrom,
    string? GivenBy,
    DateTimeOffset? PaidAt,
    DateTimeOffset? RecordedAt,
    long AmountPence,
    long FeeCoverPence,
    string Currency,
    DonationMethod Method,
    string? Reference,
    string DisputeTitle,
    IReadOnlyList<BranchShare> Branches,
    DateTimeOffset? ErasedAt = null)
{
    /// <summary>What the donor was charged: the gift and, when they chose to cover it, the card fee.</summary>
    public long ChargedPence => AmountPence + FeeCoverPence;
}

internal sealed record BranchShare(string Name, long AmountPence);

/// <summary>A credit note's own facts: what was taken back (refunded, or reversed), and the receipt it corrects.</summary>
internal sealed record CreditNoteFacts(string Key, CreditOwed Credit, string OriginalNumber, DateTimeOffset OriginalIssuedAt);

internal sealed class ReceiptFactsQuery(SolidarityDbContext db)
{
    public async Task<ReceiptFacts?> LoadAsync(Guid donationId, CancellationToken cancellationToken)
    {
        var donation = await db.Donations.AsNoTracking()
            .Where(d => d.Id == donationId)
            .Select(d => new
            {
                d.Id, d.Status, d.Email, d.DonorName, d.OrganisationName, d.PublicName, d.PaidAt, d.CreatedAt, d.AmountPence, d.FeeCoverPence,
                d.Currency, d.Method, d.Reference, d.ChosenBranchId, d.DisputeId, d.ErasedAt,
                DisputeTitle = db.Disputes.Where(x => x.Id == d.DisputeId).Select(x => x.Title).Single(),
                Allocations = d.Allocations.Select(a => new { a.BranchId, a.AmountPence }).ToList(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (donation is null)
        {
            return null;
        }

        var branchIds = donation.Allocations.Select(a => a.BranchId).ToList();
        if (branchIds.Count == 0 && donation.ChosenBranchId is { } chosen)
        {
            branchIds.Add(chosen);
        }

        if (branchIds.Count == 0)
        {
            branchIds = await db.BeneficiaryBranches.Where(b => b.DisputeId == donation.DisputeId).Select(b => b.BranchId).ToListAsync(cancellationToken);
        }

        var names = await db.Branches.AsNoTracking()
            .Where(b => branchIds.Contains(b.Id))
            .Select(b => new { b.Id, b.Name, b.Code })
            .ToDictionaryAsync(b => b.Id, b => $"{b.Name} ({b.Code})", cancellationToken);

        // Allocations fix each branch's part when the donation is made; older rows without them fall back to the
        // chosen branch, or to the dispute's beneficiaries with no amounts.
        IReadOnlyList<BranchShare> branches = donation.Allocations.Count > 0
            ? donation.Allocations.Where(a => a.AmountPence > 0).Select(a => new BranchShare(names[a.BranchId], a.AmountPence)).OrderBy(b => b.Name, StringComparer.Ordinal).ToList()
            : names.Values.Order(StringComparer.Ordinal).Select(n => new BranchShare(n, donation.ChosenBranchId is null ? 0 : donation.AmountPence + donation.FeeCoverPence)).ToList();

        var organisation = TypedText.TrimToNull(donation.OrganisationName);
        var erased = donation.ErasedAt is not null;
        var person = erased ? ReceiptDocument.NameRemoved : TypedText.TrimToNull(donation.DonorName) ?? TypedText.TrimToNull(donation.PublicName);
        return new ReceiptFacts(
            donation.Id,
            donation.Status,
            TypedText.TrimToNull(donation.Email),
            organisation ?? person ?? "Anonymous donor",
            organisation is null ? null : person,
            donation.PaidAt,

            // A card donation's row is created when checkout starts; it is recorded as paid, at PaidAt.
            donation.Method is DonationMethod.Card ? null : donation.CreatedAt,
            donation.AmountPence,
            donation.FeeCoverPence,
            donation.Currency,
            donation.Method,

            // A cheque's or transfer's reference often carries the payer's name; it stays in the books, off the document.
            erased ? null : TypedText.TrimToNull(donation.Reference),
            donation.DisputeTitle,
            branches,
            donation.ErasedAt);
    }

}

/// <summary>The PDF of a receipt or credit note.</summary>
/// <param name="fonts">The site's faces; by default those found at start-up.</param>
internal sealed class ReceiptDocument(IOptions<ReceiptSettings> options, PdfFonts? fonts = null)
{
    public const string NoGiftAid = "Gifts to a strike fund are not charitable donations and carry no Gift Aid.";

    /// <summary>Stands where the donor's name was, once their personal data has been erased.</summary>
    public const string NameRemoved = "Name removed at the donor's request";

    /// <param name="reissuedAt">Set when the document is rendered again after erasure: same number, date and amounts.</param>
    public byte[] RenderReceipt(string number, DateTimeOffset issuedAt, ReceiptFacts facts, DateTimeOffset? reissuedAt = null)
    {
        var settings = options.Value;
        using var pdf = new PdfLayout($"Receipt {number}", settings.OrganisationName, reissuedAt ?? issuedAt, fonts);
        var received = facts.PaidAt ?? issuedAt;

        // Money recorded after the day it came in says when it was recorded. A card payment is recorded as it is paid, but
        // its receipt may be issued in the next year (a payment just before midnight on New Year's Eve, its job retried):
        // that receipt also says when it was issued, so its number of the later year explains itself.
        var (then, later) = facts.RecordedAt is { } recorded ? ("recorded", (DateTimeOffset?)recorded)
            : LondonClock.ToLondon(issuedAt).Year != LondonClock.ToLondon(received).Year ? ("issued", issuedAt)
            : ("recorded", null);
        Letterhead(pdf, settings, "Receipt", number, Dates("Received", received, then, later), reissuedAt);
        From(pdf, facts);
        Charge(pdf, facts);
        pdf.Row("Payment method", MethodText(facts.Method));
        if (facts.Reference is not null && facts.Method is not DonationMethod.Card)
        {
            pdf.Row("Reference", facts.Reference);
        }

        Purpose(pdf, facts);
        Closing(pdf, "Thank you. Your gift goes to the workers on strike through their union branch.");
        return pdf.ToBytes();
    }

    /// <param name="reissuedAt">Set when the document is rendered again after erasure: same number, date and amounts.</param>
    /// <param name="issuedAt">When the credit note was first issued, which may be later than the refund or reversal it records.</param>
    public byte[] RenderCreditNote(string number, DateTimeOffset issuedAt, ReceiptFacts facts, CreditNoteFacts note, DateTimeOffset? reissuedAt = null)
    {
        var settings = options.Value;
        var credit = note.Credit;
        var taken = credit.Cause is CreditNoteCause.OfflineReversal ? "Reversed" : "Refunded";
        using var pdf = new PdfLayout($"Credit note {number}", settings.OrganisationName, reissuedAt ?? issuedAt, fonts);
        Letterhead(pdf, settings, "Credit note", number, Dates(taken, credit.At, "issued", issuedAt), reissuedAt);
        pdf.Row("Refers to receipt", $"{note.OriginalNumber} of {LondonClock.LongDate(note.OriginalIssuedAt)}");
        From(pdf, facts);
        if (credit.Cause is CreditNoteCause.OfflineReversal)
        {
            pdf.Row("Amount reversed", Format(credit.Pence, facts.Currency));
            Charge(pdf, facts);

            // The admin's own reason stays on the donation, for the admins: it may name the payer, their bank or their account.
            pdf.Row("Reason", ReversalText(facts.Method));
            Purpose(pdf, facts);
            Closing(pdf, $"This credit note records that the payment was reversed, so the gift was not received. Receipt {note.OriginalNumber} stays as it was issued.");
        }
        else
        {
            pdf.Row("Amount refunded", Format(credit.Pence, facts.Currency));
            Charge(pdf, facts);
            pdf.Row("Refunded to", MethodText(facts.Method));
            Purpose(pdf, facts);
            Closing(pdf, $"This credit note records {RefundText(facts, credit.Pence)}. Receipt {note.OriginalNumber} stays as it was issued.");
        }

        return pdf.ToBytes();
    }

    /// <summary>The gift, and when the donor covered the card fee, the cover and the total charged: what the receipt's amount is made of.</summary>
    private static void Charge(PdfLayout pdf, ReceiptFacts facts)
    {
        pdf.Row("Gift", Format(facts.AmountPence, facts.Currency));
        if (facts.FeeCoverPence > 0)
        {
            pdf.Row("Covering the card fee", Format(facts.FeeCoverPence, facts.Currency));
            pdf.Row("Total charged", Format(facts.ChargedPence, facts.Currency));
        }
    }

    /// <summary>Refunds are of the charge: a whole refund gives back the fee cover too, which the note says.</summary>
    private static string RefundText(ReceiptFacts facts, long refundedPence) => (refundedPence >= facts.ChargedPence, facts.FeeCoverPence > 0) switch
    {
        (true, true) => "a refund of the whole charge, including the card fee the donor covered",
        (true, false) => "a refund of the whole gift",
        (false, true) => "a refund of part of the charge",
        (false, false) => "a refund of part of the gift",
    };

    /// <summary>
    /// "26 May 2017"; or, when the money was recorded (or the credit note issued) on another London day than it came or
    /// went, both: "Received 28 December 2026; recorded 3 January 2027", so a number of the later year explains itself.
    /// </summary>
    private static string Dates(string what, DateTimeOffset at, string then, DateTimeOffset? later)
    {
        var first = LondonClock.ToLondon(at);
        return later is { } next && LondonClock.ToLondon(next).Date != first.Date
            ? $"{what} {Day(first)}; {then} {Day(LondonClock.ToLondon(next))}"
            : Day(first);
    }

    private static string Day(DateTimeOffset london) => london.ToString("d MMMM yyyy", LondonClock.Uk);

    private static void Letterhead(PdfLayout pdf, ReceiptSettings settings, string title, string number, string date, DateTimeOffset? reissuedAt)
    {
        pdf.TitleLine(settings.OrganisationName);
        if (!string.IsNullOrWhiteSpace(settings.OrganisationAddress))
        {
            pdf.SmallParagraph(settings.OrganisationAddress);
        }

        pdf.Rule();
        pdf.HeadingLine($"{title} {number}");
        pdf.Row("Number", number);
        pdf.Row("Date", date);
        if (reissuedAt is { } reissued)
        {
            pdf.Row("Reissued after erasure", $"{LondonClock.LongDate(reissued)}: the donor's personal data was erased at their request; the number, date and amounts are as first issued.");
        }
    }

    private static void From(PdfLayout pdf, ReceiptFacts facts)
    {
        pdf.Row("Received from", facts.ReceivedFrom);
        if (facts.GivenBy is not null)
        {
            pdf.Row("Given by", facts.GivenBy);
        }
    }

    private static void Purpose(PdfLayout pdf, ReceiptFacts facts)
    {
        pdf.Row("For the dispute", facts.DisputeTitle);
        foreach (var (branch, index) in facts.Branches.Select((b, i) => (b, i)))
        {
            var share = branch.AmountPence > 0 ? $"{branch.Name}: {Format(branch.AmountPence, facts.Currency)}" : branch.Name;
            pdf.Row(index == 0 ? (facts.Branches.Count == 1 ? "Beneficiary branch" : "Beneficiary branches") : "", share);
        }
    }

    private static void Closing(PdfLayout pdf, string line)
    {
        pdf.Rule();
        pdf.Paragraph(line);
        pdf.Paragraph(NoGiftAid);
    }

    private static string ReversalText(DonationMethod method) => method switch
    {
        DonationMethod.Cheque => "Cheque returned unpaid, or entry corrected",
        _ => "Payment returned, or entry corrected",
    };

    public static string MethodText(DonationMethod method) => method switch
    {
        DonationMethod.Card => "Card (online)",
        DonationMethod.Cheque => "Cheque",
        DonationMethod.BankTransfer => "Bank transfer",
        DonationMethod.Collection => "Collection",
        _ => method.ToString(),
    };

    public static string Format(long pence, string currency) => new Money(pence, currency).Format();
}
