namespace Solidarity.Web.Pages.Admin.Updates;

internal static class UpdateAuditActions
{
    public const string Drafted = "update.drafted";
    public const string Scheduled = "update.scheduled";
    public const string Published = "update.published";
    public const string PublishedOnSchedule = "update.published-on-schedule";
    public const string Edited = "update.edited";
    public const string DisputeStatusChanged = "dispute.status-changed";
}
