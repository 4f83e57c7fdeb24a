namespace Solidarity.Web.Pages.Admin.Donors;

internal static class DonorAuditActions
{
    /// <summary>The audit subject: a donor is known to the log only by the SHA-256 of their address.</summary>
    public const string Subject = "Donor";

    /// <summary>The audit subject of a gift given without an email address, whose donor is erased by its receipt: the gift's id.</summary>
    public const string GiftSubject = "Donation";
    public const string Exported = "donor.exported";
    public const string Erased = "donor.erased";
}
