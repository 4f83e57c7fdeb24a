namespace Solidarity.Web.Pages.Admin.Messages;

internal static class ModerationQueue
{
    /// <summary>
    /// Messages waiting for a moderator. One sent with a donation waits for the payment too, and one sent with a monthly
    /// gift for the gift's first payment, so an unpaid checkout (or a bot filling in the donate form) never reaches the
    /// moderators, nor, once approved, the public page, where the retention job would later blank it.
    /// </summary>
    public static IQueryable<SupportMessage> Waiting(SolidarityDbContext db) =>
        db.SupportMessages
            .Where(m => m.Status == ModerationStatus.Pending)
            .Where(m => m.DonationId == null || db.Donations.Any(d => d.Id == m.DonationId && d.Status == DonationStatus.Paid))
            .Where(m => m.MonthlyGiftId == null || db.Donations.Any(d => d.MonthlyGiftId == m.MonthlyGiftId && d.Status == DonationStatus.Paid));
}
