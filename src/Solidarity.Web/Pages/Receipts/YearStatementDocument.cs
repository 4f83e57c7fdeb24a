namespace Solidarity.Web.Pages.Receipts;

/// <summary>A gift on a statement: when it was received, what its receipt states (or what was charged, where no receipt was issued).</summary>
internal sealed record YearGift(DateTimeOffset PaidAt, long Pence, string Currency, string? ReceiptNumber, string DisputeTitle);

/// <summary>
/// A credit note on a statement, with the receipt it credits. <see cref="RefundFailed"/>: Stripe failed or cancelled the
/// refund after the note was issued, so the money stayed given. The note stands as issued, but credits nothing back.
/// </summary>
internal sealed record YearCredit(DateTimeOffset IssuedAt, long Pence, string Currency, string Number, string ReceiptNumber, bool RefundFailed = false);

/// <summary>
/// A gift's money taken back through the donor's bank (a chargeback the site lost, net of any won back), with the
/// receipt it was given under ("no receipt issued" when none was). No credit note is issued for it.
/// </summary>
/// <param name="Undecided">Stripe has not yet said the bank's dispute closed: the money is taken back while it is decided.</param>
internal sealed record YearChargeback(DateTimeOffset PaidAt, long Pence, string Currency, string? ReceiptNumber, bool Undecided);

/// <summary>Everything a statement of a year's giving states.</summary>
internal sealed record YearGiving(
    int Year, string? DonorName, IReadOnlyList<string> Organisations, IReadOnlyList<YearGift> Gifts, IReadOnlyList<YearCredit> Credits,
    IReadOnlyList<YearChargeback> Chargebacks);

internal sealed class YearStatementQuery(SolidarityDbContext db)
{
    /// <returns>Null when any of the gifts' donor has been erased, or the gifts are gone: there is no statement to give.</returns>
    public async Task<YearGiving?> LoadAsync(int year, IReadOnlyList<Guid> donationIds, CancellationToken cancellationToken)
    {
        var ids = donationIds.ToList();
        var donations = await db.Donations.AsNoTracking()
            .Where(d => ids.Contains(d.Id))
            .OrderBy(d => d.PaidAt).ThenBy(d => d.Id)
            .Select(d => new
            {
                d.Id, d.Status, d.PaidAt, d.CreatedAt, d.AmountPence, d.FeeCoverPence, d.Currency, d.DonorName, d.OrganisationName, d.ErasedAt,
                DisputeTitle = db.Disputes.Where(x => x.Id == d.DisputeId).Select(x => x.Title).Single(),
            })
            .ToListAsync(cancellationToken);
        if (donations.Count == 0 || donations.Any(d => d.ErasedAt is not null))
        {
            return null;
        }

        var documents = await db.Receipts.AsNoTracking()
            .Where(r => ids.Contains(r.DonationId))
            .Select(r => new { r.Id, r.DonationId, r.Kind, r.Number, r.AmountPence, r.Currency, r.IssuedAt, r.OriginalReceiptId, r.RefundKey })
            .ToListAsync(cancellationToken);
        var receipts = documents.Where(r => r.Kind == ReceiptKind.Receipt).ToDictionary(r => r.DonationId);
        var numbers = documents.ToDictionary(r => r.Id, r => r.Number);

        // As when the statement was asked for (YearStatements.GiftsOf), and again now, since its gifts were chosen then: offline
        // money reversed before its receipt was issued was never receipted and nets to nothing in the ledger.
        donations = donations.Where(d => d.Status != DonationStatus.Reversed || receipts.ContainsKey(d.Id)).ToList();
        var gifts = donations
            .Select(d => receipts.TryGetValue(d.Id, out var receipt)
                ? new YearGift(d.PaidAt ?? d.CreatedAt, receipt.AmountPence, receipt.Currency, receipt.Number, d.DisputeTitle)
                : new YearGift(d.PaidAt ?? d.CreatedAt, d.AmountPence + d.FeeCoverPence, d.Currency, null, d.DisputeTitle))
            .ToList();
        // A refund Stripe failed or cancelled after its note was issued is given back in the ledger (RefundReversed, under the
        // refund's id): the note is listed as issued, and counted as crediting nothing, so that the net total is the ledger's.
        var failedRefunds = (await db.LedgerEntries.AsNoTracking()
            .Where(e => e.DonationId != null && ids.Contains(e.DonationId.Value) && e.Kind == LedgerEntryKind.RefundReversed && e.StripeObjectId != null)
            .Select(e => e.StripeObjectId!)
            .Distinct()
            .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var credits = documents
            .Where(r => r.Kind == ReceiptKind.CreditNote)
            .OrderBy(r => r.IssuedAt).ThenBy(r => r.Number, StringComparer.Ordinal)
            .Select(r => new YearCredit(
                r.IssuedAt, r.AmountPence, r.Currency, r.Number, numbers[r.OriginalReceiptId!.Value], r.RefundKey is { } key && failedRefunds.Contains(key)))
            .ToList();

        // A chargeback is no refund and has no credit note, but the bank gave the money back: the ledger holds the gift less
        // what was taken (and not won back), and so does the statement. Whether one is still undecided is read with it, as
        // the open books tell them apart: a dispute is decided once Stripe has sent its charge.dispute.closed.
        var chargebackEntries = await db.LedgerEntries.AsNoTracking()
            .Where(e => e.DonationId != null && ids.Contains(e.DonationId.Value)
                && (e.Kind == LedgerEntryKind.Chargeback || e.Kind == LedgerEntryKind.ChargebackReversed))
            .Select(e => new
            {
                DonationId = e.DonationId!.Value,
                e.AmountPence,
                Undecided = e.Kind == LedgerEntryKind.Chargeback
                    && !db.StripeEvents.Any(s => s.Type == "charge.dispute.closed" && s.ObjectId == e.StripeObjectId),
            })
            .ToListAsync(cancellationToken);
        var chargedBack = chargebackEntries
            .GroupBy(e => e.DonationId)
            .Select(g => (DonationId: g.Key, Pence: -g.Sum(e => e.AmountPence), Undecided: g.Any(e => e.Undecided)))
            .Where(c => c.Pence > 0)
            .ToDictionary(c => c.DonationId);
        var chargebacks = donations
            .Where(d => chargedBack.ContainsKey(d.Id))
            .Select(d => new YearChargeback(
                d.PaidAt ?? d.CreatedAt, chargedBack[d.Id].Pence, d.Currency, receipts.GetValueOrDefault(d.Id)?.Number, chargedBack[d.Id].Undecided))
            .ToList();

        // The latest gift's name is the one the donor gives now; an organisation is named as each gift was made for it.
        var name = donations.Select(d => TypedText.TrimToNull(d.DonorName)).LastOrDefault(n => n is not null);
        var organisations = donations.Select(d => TypedText.TrimToNull(d.OrganisationName)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return new YearGiving(year, name, organisations, gifts, credits, chargebacks);
    }

}

/// <summary>The PDF of a statement of a year's giving, written as receipts and credit notes are.</summary>
/// <param name="fonts">The site's faces; by default those found at start-up.</param>
internal sealed class YearStatementDocument(IOptions<ReceiptSettings> options, PdfFonts? fonts = null)
{
    public static string Title(int year) => $"Statement of giving, {year}";

    /// <summary>Beside a credit note whose refund failed after it was issued.</summary>
    public const string RefundFailedNote = "The refund then failed and the money stayed given: not credited back.";

    public byte[] Render(YearGiving facts, DateTimeOffset madeAt)
    {
        var settings = options.Value;
        using var pdf = new PdfLayout(Title(facts.Year), settings.OrganisationName, madeAt, fonts);
        pdf.TitleLine(settings.OrganisationName);
        if (!string.IsNullOrWhiteSpace(settings.OrganisationAddress))
        {
            pdf.SmallParagraph(settings.OrganisationAddress);
        }

        pdf.Rule();
        pdf.HeadingLine(Title(facts.Year));
        pdf.Row("Year", $"1 January to 31 December {facts.Year}, London time");
        pdf.Row("Made on", Day(madeAt));
        if (facts.DonorName is not null)
        {
            pdf.Row("Given by", facts.DonorName);
        }

        if (facts.Organisations.Count > 0)
        {
            pdf.Row(facts.Organisations.Count == 1 ? "Organisation" : "Organisations", string.Join("\n", facts.Organisations));
        }

        pdf.HeadingLine(facts.Gifts.Count == 1 ? "Gift" : $"Gifts ({facts.Gifts.Count})");
        foreach (var gift in facts.Gifts)
        {
            var receipt = gift.ReceiptNumber is null ? "no receipt issued" : $"receipt {gift.ReceiptNumber}";
            pdf.Row(Day(gift.PaidAt), $"{Format(gift.Pence, gift.Currency)}, {receipt}, to {gift.DisputeTitle}");
        }

        if (facts.Credits.Count > 0)
        {
            pdf.HeadingLine(facts.Credits.Count == 1 ? "Credit note" : $"Credit notes ({facts.Credits.Count})");
            foreach (var credit in facts.Credits)
            {
                var row = $"{Format(credit.Pence, credit.Currency)}, credit note {credit.Number}, credits receipt {credit.ReceiptNumber}";
                pdf.Row(Day(credit.IssuedAt), credit.RefundFailed ? $"{row}. {RefundFailedNote}" : row);
            }
        }

        if (facts.Chargebacks.Count > 0)
        {
            pdf.HeadingLine(facts.Chargebacks.Count == 1 ? "Taken back through your bank" : $"Taken back through your bank ({facts.Chargebacks.Count})");
            foreach (var chargeback in facts.Chargebacks)
            {
                var receipt = chargeback.ReceiptNumber is null ? "a gift with no receipt issued" : $"the gift of receipt {chargeback.ReceiptNumber}";
                pdf.Row(Day(chargeback.PaidAt), chargeback.Undecided
                    ? $"{Format(chargeback.Pence, chargeback.Currency)} of {receipt}, disputed through your bank and held back while the dispute is decided"
                    : $"{Format(chargeback.Pence, chargeback.Currency)} of {receipt}, returned to you by your bank (a chargeback)");
            }
        }

        pdf.Rule();
        foreach (var currency in facts.Gifts.Select(g => g.Currency).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var given = facts.Gifts.Where(g => g.Currency == currency).Sum(g => g.Pence);
            var credited = facts.Credits.Where(c => c.Currency == currency && !c.RefundFailed).Sum(c => c.Pence);
            var chargedBack = facts.Chargebacks.Where(c => c.Currency == currency).Sum(c => c.Pence);
            pdf.Row("Given", Format(given, currency));
            pdf.Row("Credited back", Format(credited, currency));
            if (chargedBack > 0)
            {
                pdf.Row("Taken back by your bank", Format(chargedBack, currency));
            }

            pdf.Row("Net total", Format(given - credited - chargedBack, currency));
        }

        pdf.Rule();
        pdf.Paragraph($"Every gift received from you in {facts.Year}, and every credit note against those gifts, whenever it was issued. Each receipt and credit note stays valid as issued.");
        pdf.Paragraph(ReceiptDocument.NoGiftAid);
        return pdf.ToBytes();
    }

    private static string Day(DateTimeOffset at) => LondonClock.ToLondon(at).ToString("d MMMM yyyy", LondonClock.Uk);

    private static string Format(long pence, string currency) => ReceiptDocument.Format(pence, currency);
}
