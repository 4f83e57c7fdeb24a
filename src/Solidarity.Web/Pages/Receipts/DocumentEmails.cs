using Solidarity.Web.Infrastructure.Tokens;

namespace Solidarity.Web.Pages.Receipts;

/// <summary>
/// What the emails that carry a donor's document (a receipt, a credit note, a statement of giving) have in common: each
/// gives the document a fresh download link, valid for <see cref="ReceiptSettings.DownloadLinkLifetime"/>, and ends with
/// the same lines about Gift Aid and who sent it.
/// </summary>
internal sealed class DocumentEmails(IOptions<ReceiptSettings> receiptOptions, IOptions<SmtpSettings> smtpOptions, TimeProvider time)
{
    public ReceiptSettings Settings => receiptOptions.Value;

    /// <summary>
    /// A new link for <paramref name="document"/>, whose token is returned and whose hash replaces the last link's: the
    /// caller commits it with the delivery marked sent, so the link in the sent message is the one that works.
    /// </summary>
    public string NewLinkToken(IEmailedDocument document)
    {
        var (token, hash) = LinkTokens.Create();
        document.DownloadTokenHash = hash;
        document.DownloadTokenExpiresAt = time.GetUtcNow() + Settings.DownloadLinkLifetime;
        return token;
    }

    /// <inheritdoc cref="SmtpSettings.Message"/>
    public MimeKit.MimeMessage Message(string stableId, string subject) => smtpOptions.Value.Message(stableId, subject);

    /// <summary>The last lines of every such email: no Gift Aid, and the organisation's name and address.</summary>
    public string Closing => $"""
        {ReceiptDocument.NoGiftAid}

        {Settings.OrganisationName}
        {Settings.OrganisationAddress}
        """;
}
