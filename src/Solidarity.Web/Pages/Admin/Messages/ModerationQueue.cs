namespace Solidarity.Web.Pages.Admin.Messages;

internal static class ModerationQueue
{
    /// <summary>
    /// Messages waiting for a moderator. One sent with a donation waits for the payment too, so an unpaid
    /// checkout (or a bot filling in the donate form) never reaches the moderators.
    /// </summary>
    public static IQueryable<SupportMessage> Waiting(SolidarityDbContext db) =>
        db.SupportMessages
            .Where(m => m.Status == ModerationStatus.Pending)
            .Where(m => m.DonationId == null || db.Donations.Any(d => d.Id == m.DonationId && d.Status == DonationStatus.Paid));
}
