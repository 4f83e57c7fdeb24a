using System.Text.Json;
using Solidarity.Core.Audit;

namespace Solidarity.Web.Pages.Admin;

/// <summary>
/// Adds audit entries to the unit of work of the change they describe: the caller's SaveChanges writes
/// the change and its entry together, so there is never a change without its entry or an entry without its change.
/// </summary>
internal sealed class AuditTrail(SolidarityDbContext db, TimeProvider time)
{
    private static readonly JsonSerializerOptions DetailsJson = new(JsonSerializerDefaults.Web);

    /// <summary>What the site did by itself (a background job), rather than a signed-in person.</summary>
    public const string SiteActor = "site";

    /// <summary>What someone with the server's settings did through a command (create-admin), not through the site.</summary>
    public const string CommandLineActor = "command line";

    public AuditEntry Record(ClaimsPrincipal actor, string action, string subjectType, string subjectId, object? details = null) =>
        Add(Pages.Remittances.BranchOfficers.UserId(actor), Pages.Remittances.BranchOfficers.UserName(actor), action, subjectType, subjectId, details);

    /// <summary>An entry for something a background job did, in the same unit of work as the change it describes.</summary>
    public AuditEntry RecordBySite(string action, string subjectType, string subjectId, object? details = null) =>
        Add(null, SiteActor, action, subjectType, subjectId, details);

    /// <summary>
    /// An entry for someone named by id and name rather than by a session: a command on the server (create-admin),
    /// or a person accepting an invitation, who is signed in only once the change is saved.
    /// </summary>
    public AuditEntry RecordAs(Guid? userId, string userName, string action, string subjectType, string subjectId, object? details = null) =>
        Add(userId, userName, action, subjectType, subjectId, details);

    private AuditEntry Add(Guid? userId, string userName, string action, string subjectType, string subjectId, object? details)
    {
        var entry = new AuditEntry
        {
            At = time.GetUtcNow(),
            UserId = userId,
            UserName = userName,
            Action = action,
            SubjectType = subjectType,
            SubjectId = subjectId,
            Details = details is null ? null : JsonSerializer.Serialize(details, DetailsJson),
        };
        db.AuditEntries.Add(entry);
        return entry;
    }
}
