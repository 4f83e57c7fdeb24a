using MimeKit;

namespace Solidarity.Web.Pages.Receipts;

/// <summary>
/// Emails a receipt or credit note with the PDF attached and a fresh download link, once (<see cref="EmailOnce"/>, under
/// the delivery row "receipt:{id}"). The link's hash is committed with the row marked sent, so the link in the sent
/// message is the one that works.
/// </summary>
internal sealed class SendReceiptEmailJob(
    SolidarityDbContext db,
    EmailOnce email,
    DocumentEmails documents,
    SiteAddress site,
    MonthlyGiftLinks monthlyLinks,
    ILogger<SendReceiptEmailJob> logger)
{
    /// <summary>How every receipt's and credit note's delivery key starts.</summary>
    public const string DeliveryKeyPrefix = "receipt:";

    public static string DeliveryKey(Guid receiptId) => $"{DeliveryKeyPrefix}{receiptId}";

    public async Task RunAsync(Guid receiptId, CancellationToken cancellationToken)
    {
        Receipt? sent = null;
        var wasSent = await email.SendAsync(DeliveryKey(receiptId), async ct =>
        {
            var receipt = await db.Receipts.Where(r => r.Id == receiptId).SingleAsync(ct);
            var about = await db.Donations.AsNoTracking()
                .Where(d => d.Id == receipt.DonationId)
                .Select(d => new
                {
                    d.Email,
                    Name = d.DonorName ?? d.OrganisationName,
                    DisputeTitle = db.Disputes.Where(x => x.Id == d.DisputeId).Select(x => x.Title).Single(),
                    OriginalNumber = db.Receipts.Where(r => r.Id == receipt.OriginalReceiptId).Select(r => r.Number).FirstOrDefault(),
                    MonthlyGift = db.MonthlyGifts.Where(g => g.Id == d.MonthlyGiftId && g.Status != MonthlyGiftStatus.Cancelled)
                        .Select(g => (Guid?)g.Id).FirstOrDefault(),
                })
                .SingleAsync(ct);
            if (string.IsNullOrWhiteSpace(about.Email))
            {
                // The address was erased after the receipt was issued: nothing to send, and nothing to retry.
                return Outgoing.Nothing("No email address.");
            }

            var token = documents.NewLinkToken(receipt);

            // A monthly giver's receipt carries a link to see or cancel the gift, committed with the delivery as the
            // download link is.
            var manageLink = about.MonthlyGift is { } giftId && receipt.Kind == ReceiptKind.Receipt
                ? site.BaseUrl() + MonthlyGiftLinks.PathFor(monthlyLinks.Create(giftId))
                : null;
            sent = receipt;
            return Outgoing.Send(Compose(
                receipt, about.Email, about.Name, about.DisputeTitle, about.OriginalNumber, $"{site.BaseUrl()}/receipts/{token}", manageLink));
        }, cancellationToken);

        if (wasSent && sent is not null)
        {
            logger.LogInformation("{Kind} {Number} emailed", sent.Kind, sent.Number);
        }
    }

    private MimeMessage Compose(
        Receipt receipt, string email, string? name, string disputeTitle, string? originalNumber, string link, string? manageLink)
    {
        var creditNote = receipt.Kind == ReceiptKind.CreditNote;
        var reversal = creditNote && CreditNoteKeys.IsOfflineReversal(receipt.RefundKey!);
        var expires = LondonClock.LongDate(receipt.DownloadTokenExpiresAt!.Value);

        var message = documents.Message(
            $"{(creditNote ? "credit-note" : "receipt")}-{receipt.Id:N}",
            (creditNote, reversal) switch
            {
                (true, true) => $"Credit note {receipt.Number}: your payment was reversed ({disputeTitle})",
                (true, false) => $"Credit note {receipt.Number} for your refund ({disputeTitle})",
                _ => $"Your receipt {receipt.Number}: thank you for supporting {disputeTitle}",
            });
        message.To.Add(new MailboxAddress(name ?? "", email));

        var text = (creditNote, reversal) switch
        {
            (true, true) => $"""
               The payment for your gift to {disputeTitle} was reversed (a cheque returned unpaid, or an entry corrected):
               credit note {receipt.Number} is attached. It refers to receipt {originalNumber}, which stays as issued.
               """,
            (true, false) => $"""
               Your gift to {disputeTitle} has been refunded in part or in full: credit note {receipt.Number} is attached.
               It refers to receipt {originalNumber}, which stays valid as issued.
               """,
            _ => $"""
               Thank you for supporting {disputeTitle}. Your receipt {receipt.Number} is attached.
               """,
        };
        if (manageLink is not null)
        {
            text += $"""


                This is this month's payment of your monthly gift, which stops by itself when the dispute ends.
                To see your monthly gift, or cancel it, open:
                {manageLink}
                """;
        }
        var body = new BodyBuilder
        {
            TextBody = $"""
                {text}

                You can download it again until {expires}:
                {link}

                {documents.Closing}
                """,
        };
        body.Attachments.Add($"{receipt.Number}.pdf", receipt.Pdf, new ContentType("application", "pdf"));
        message.Body = body.ToMessageBody();
        return message;
    }
}
