namespace Solidarity.Web.Pages.Admin.Donors;

internal static class DonorAuditActions
{
    /// <summary>The audit subject: a donor is known to the log only by the SHA-256 of their address.</summary>
    public const string Subject = "Donor";
    public const string Exported = "donor.exported";
    public const string Erased = "donor.erased";
}
