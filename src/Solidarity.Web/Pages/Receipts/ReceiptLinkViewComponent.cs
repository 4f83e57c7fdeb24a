using System.Diagnostics.CodeAnalysis;

namespace Solidarity.Web.Pages.Receipts;

internal sealed record ReceiptLinkModel(Guid DonationId, bool Ready, string? Number);

/// <summary>
/// For the thank-you page: `&lt;vc:receipt-link donation-id="@id" /&gt;` shows a download link once the
/// receipt exists, to the browser that made the donation only; otherwise says the receipt is on its way.
/// </summary>
[SuppressMessage("Maintainability", "CA1515", Justification = "MVC finds only public view components.")]
public sealed class ReceiptLinkViewComponent(DonorBrowser donor, SolidarityDbContext db) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(Guid donationId)
    {
        string? number = null;
        if (donor.MadeDonation(HttpContext, donationId))
        {
            number = await db.Receipts.AsNoTracking()
                .Where(r => r.DonationId == donationId && r.Kind == ReceiptKind.Receipt)
                .Select(r => r.Number)
                .SingleOrDefaultAsync(HttpContext.RequestAborted);
        }

        return View("/Pages/Receipts/_ReceiptLink.cshtml", new ReceiptLinkModel(donationId, number is not null, number));
    }
}
