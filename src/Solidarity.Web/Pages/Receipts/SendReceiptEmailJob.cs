using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Solidarity.Core.Data;
using Solidarity.Core.Donations;
using Solidarity.Core.Receipts;
using Solidarity.Web.Infrastructure.Email;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Donations.Monthly;

namespace Solidarity.Web.Pages.Receipts;

/// <summary>
/// Emails a receipt or credit note with the PDF attached and a fresh download link. The delivery row
/// ("receipt:{id}") is locked while the mail server is spoken to and marked sent in the same transaction,
/// so concurrent or repeated runs send once. If the process dies after the server accepted the message but
/// before the commit, the next attempt sends it again: at most one duplicate, with the same Message-Id so
/// mail clients can tell. The link in the sent message is the one whose hash was committed with it.
/// </summary>
internal sealed class SendReceiptEmailJob(
    SolidarityDbContext db,
    IEmailSender sender,
    SiteAddress site,
    IOptions<ReceiptSettings> receiptOptions,
    IOptions<SmtpSettings> smtpOptions,
    TimeProvider time,
    MonthlyGiftLinks monthlyLinks,
    ILogger<SendReceiptEmailJob> logger)
{
    public static string DeliveryKey(Guid receiptId) => $"receipt:{receiptId}";

    public async Task RunAsync(Guid receiptId, CancellationToken cancellationToken)
    {
        var key = DeliveryKey(receiptId);
        try
        {
            await SendOnceAsync(receiptId, key, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            db.ChangeTracker.Clear();
            var now = time.GetUtcNow();
            var error = e.Message.Length > 500 ? e.Message[..500] : e.Message;
            await db.EmailDeliveries.Where(d => d.Key == key).ExecuteUpdateAsync(
                d => d.SetProperty(x => x.Attempts, x => x.Attempts + 1).SetProperty(x => x.LastAttemptAt, now).SetProperty(x => x.LastError, error),
                CancellationToken.None);

            // The mail server's answer often quotes the recipient's address. It is kept on the delivery row, which an
            // erasure clears; the jobs' store, which keeps a failed job's exception and which no erasure reaches, is
            // given only what kind of failure it was.
            throw new EmailNotSentException(key, e);
        }
    }

    private async Task SendOnceAsync(Guid receiptId, string key, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var delivery = (await db.EmailDeliveries
            .FromSql($"""SELECT * FROM "EmailDeliveries" WHERE "Key" = {key} FOR UPDATE""")
            .ToListAsync(cancellationToken)).SingleOrDefault();
        if (delivery is null || delivery.SentAt is not null)
        {
            return;
        }

        var receipt = await db.Receipts.Where(r => r.Id == receiptId).SingleAsync(cancellationToken);
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
            .SingleAsync(cancellationToken);

        var now = time.GetUtcNow();
        delivery.Attempts++;
        delivery.LastAttemptAt = now;
        if (string.IsNullOrWhiteSpace(about.Email))
        {
            // The address was erased after the receipt was issued: nothing to send, and nothing to retry.
            delivery.LastError = "No email address.";
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return;
        }

        var settings = receiptOptions.Value;
        var (token, hash) = ReceiptTokens.Create();
        receipt.DownloadTokenHash = hash;
        receipt.DownloadTokenExpiresAt = now + settings.DownloadLinkLifetime;
        // A monthly giver's receipt carries a link to see or cancel the gift, committed with the delivery as the download link is.
        var manageLink = about.MonthlyGift is { } giftId && receipt.Kind == ReceiptKind.Receipt
            ? site.BaseUrl() + MonthlyGiftLinks.PathFor(monthlyLinks.Create(giftId))
            : null;
        var message = Compose(
            receipt, about.Email, about.Name, about.DisputeTitle, about.OriginalNumber, $"{site.BaseUrl()}/receipts/{token}", manageLink);
        delivery.MessageId = message.MessageId;

        await sender.SendAsync(message, cancellationToken);

        delivery.SentAt = time.GetUtcNow();
        delivery.LastError = null;
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        logger.LogInformation("{Kind} {Number} emailed", receipt.Kind, receipt.Number);
    }

    private MimeMessage Compose(
        Receipt receipt, string email, string? name, string disputeTitle, string? originalNumber, string link, string? manageLink)
    {
        var settings = receiptOptions.Value;
        var from = smtpOptions.Value.FromAddress;
        var domain = from.Domain is { Length: > 0 } d ? d : "localhost";
        var creditNote = receipt.Kind == ReceiptKind.CreditNote;
        var reversal = creditNote && CreditNoteKeys.IsOfflineReversal(receipt.RefundKey!);
        var expires = LondonClock.LongDate(receipt.DownloadTokenExpiresAt!.Value);

        var message = new MimeMessage
        {
            // The same for every attempt, so a duplicate after a crash is recognisable as one message.
            MessageId = $"{(creditNote ? "credit-note" : "receipt")}-{receipt.Id:N}@{domain}",
            Subject = (creditNote, reversal) switch
            {
                (true, true) => $"Credit note {receipt.Number}: your payment was reversed ({disputeTitle})",
                (true, false) => $"Credit note {receipt.Number} for your refund ({disputeTitle})",
                _ => $"Your receipt {receipt.Number}: thank you for supporting {disputeTitle}",
            },
        };
        message.From.Add(from);
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

                {ReceiptDocument.NoGiftAid}

                {settings.OrganisationName}
                {settings.OrganisationAddress}
                """,
        };
        body.Attachments.Add($"{receipt.Number}.pdf", receipt.Pdf, new ContentType("application", "pdf"));
        message.Body = body.ToMessageBody();
        return message;
    }
}

/// <summary>
/// A receipt email that could not be sent, saying which delivery and what kind of failure, and nothing the mail server
/// said: its words may quote the recipient's address, and this message is kept by the jobs' store. The words are on the
/// delivery row (EmailDeliveries.LastError), for an admin, until an erasure clears them.
/// </summary>
internal sealed class EmailNotSentException(string deliveryKey, Exception cause)
    : Exception($"Email {deliveryKey} was not sent ({Kind(cause)}); the mail server's answer is on its delivery row.")
{
    private static string Kind(Exception cause) => cause switch
    {
        MailKit.Net.Smtp.SmtpCommandException command => $"SMTP {(int)command.StatusCode} {command.ErrorCode}",
        MailKit.Net.Smtp.SmtpProtocolException => "SMTP protocol error",
        System.Net.Sockets.SocketException socket => $"network: {socket.SocketErrorCode}",
        _ => cause.GetType().Name,
    };
}
