namespace Solidarity.Web.Pages.Admin.Donors;

/// <summary>What the audit log names when an action is about a donor (<see cref="AuditActions.DonorExported"/>, <see cref="AuditActions.DonorErased"/>).</summary>
internal static class DonorAuditSubjects
{
    /// <summary>A donor is known to the log only by the keyed hash of their address.</summary>
    public const string Donor = "Donor";

    /// <summary>A gift given without an email address, whose donor is erased by its receipt: the gift's id.</summary>
    public const string Gift = "Donation";
}
