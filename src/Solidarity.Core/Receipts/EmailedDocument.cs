namespace Solidarity.Core.Receipts;

/// <summary>
/// A document a donor downloads through an emailed link (a receipt or credit note, a statement of giving): only the hash
/// of the latest link's token is kept, with the moment the link stops working.
/// </summary>
public interface IEmailedDocument
{
    byte[]? DownloadTokenHash { get; set; }
    DateTimeOffset? DownloadTokenExpiresAt { get; set; }
}
