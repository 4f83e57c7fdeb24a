using System.Diagnostics.CodeAnalysis;

namespace Solidarity.Web.Pages.Receipts;

[SuppressMessage("Maintainability", "CA1515", Justification = "DonorBrowser, public for ReceiptLinkViewComponent, takes its options in its constructor.")]
public sealed class ReceiptSettings
{
    public const string Section = "Receipts";

    /// <summary>Receipts are numbered "SOL-2026-000042".</summary>
    public string ReceiptSeries { get; set; } = "SOL";

    /// <summary>Credit notes have a sequence of their own, "SOL-CN-2026-000007", so receipts stay gap-free on their own.</summary>
    public string CreditNoteSeries { get; set; } = "SOL-CN";

    /// <summary>
    /// How long an emailed download link works: long enough to file a receipt, short enough that an old email in a
    /// forwarded thread or a breached mailbox no longer opens it. A donor can always ask for it again.
    /// </summary>
    public TimeSpan DownloadLinkLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long the browser that made a donation may fetch its receipt from the thank-you page.</summary>
    public TimeSpan DonorBrowserLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>From Organisation:Name and Organisation:Address.</summary>
    public string OrganisationName { get; set; } = "Solidarity";
    public string OrganisationAddress { get; set; } = "";
}
