using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Data;
using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Disputes;

public sealed record WorkplaceView(string Name, string Town, string? BranchCode, string? BranchName);

public sealed record BranchView(string Code, string Name, string ContactName, string? ContactEmail, string PostalAddress, int ShareBasisPoints)
{
    public IEnumerable<string> AddressLines => PostalAddress.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string SharePercent => $"{ShareBasisPoints / 100m:0.##}%";
}

/// <summary>A published update; <see cref="Body"/> is Markdown, shown through SafeMarkdown only.</summary>
public sealed record UpdateView(Guid Id, string Title, string Body, DateTimeOffset PublishedAt, string AuthorName, DisputeStatus? AnnouncesStatus);

public sealed record DisputePage(
    Guid Id,
    string Slug,
    string Title,
    string Employer,
    string Union,
    string? UnionWebsite,
    string Summary,
    string Body,
    DisputeStatus Status,
    int? WorkersInvolved,
    long? TargetPence,
    string? ChequePayee,
    string? OfflineGivingNotes,
    string? Disclaimer,
    IReadOnlyList<WorkplaceView> Workplaces,
    IReadOnlyList<BranchView> Branches,
    IReadOnlyList<ActionView> Actions,
    IReadOnlyList<UpdateView> Updates)
{
    /// <summary>
    /// Loads a published dispute by its slug, or null: an unpublished dispute is as unknown to the
    /// public as one that does not exist. Its updates are those published by <paramref name="now"/>.
    /// </summary>
    public static async Task<DisputePage?> LoadAsync(SolidarityDbContext db, string? slug, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!Slugs.IsWellFormed(slug))
        {
            return null;
        }

        return await db.Disputes.AsNoTracking()
            .Where(d => d.Slug == slug && d.IsPublished)
            .Select(d => new DisputePage(
                d.Id, d.Slug, d.Title, d.Employer, d.Union.Name, d.Union.Website, d.Summary, d.Body, d.Status, d.WorkersInvolved,
                d.TargetPence, d.ChequePayee, d.OfflineGivingNotes, d.Disclaimer,
                d.Workplaces.OrderBy(w => w.Town).ThenBy(w => w.Name)
                    .Select(w => new WorkplaceView(w.Name, w.Town, w.Branch == null ? null : w.Branch.Code, w.Branch == null ? null : w.Branch.Name))
                    .ToList(),
                d.Beneficiaries.OrderByDescending(b => b.ShareBasisPoints).ThenBy(b => b.Branch.Code)
                    .Select(b => new BranchView(b.Branch.Code, b.Branch.Name, b.Branch.ContactName, b.Branch.ContactEmail, b.Branch.PostalAddress, b.ShareBasisPoints))
                    .ToList(),
                d.Actions.OrderBy(a => a.StartsAt).Select(a => new ActionView(a.Kind, a.Title, a.Details, a.StartsAt, a.EndsAt)).ToList(),
                d.Updates
                    .Where(u => u.Status == UpdateStatus.Published && u.PublishedAt <= now)
                    .OrderByDescending(u => u.PublishedAt)
                    .Select(u => new UpdateView(u.Id, u.Title, u.Body, u.PublishedAt!.Value, u.AuthorName, u.AnnouncesStatus))
                    .ToList()))
            .AsSplitQuery()
            .SingleOrDefaultAsync(cancellationToken);
    }
}

public static class Paragraphs
{
    /// <summary>Plain text with blank lines between paragraphs, as admins type it.</summary>
    public static IEnumerable<string> Split(string? text) =>
        (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
