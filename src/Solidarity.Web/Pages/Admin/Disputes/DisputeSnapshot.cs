using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin.Disputes;

/// <summary>
/// A dispute reduced to comparable values, for the audit log and for telling whether an edit changed anything: short
/// fields are kept whole, long texts only as "changed", and rows as one line each (an action's details by a fingerprint
/// of them) so additions and removals read plainly.
/// </summary>
internal sealed record DisputeSnapshot(
    IReadOnlyDictionary<string, string?> Fields,
    IReadOnlyDictionary<string, string> LongTexts,
    IReadOnlyList<string> Workplaces,
    IReadOnlyList<string> Beneficiaries,
    IReadOnlyList<string> Actions)
{
    public static DisputeSnapshot Of(Dispute dispute, IReadOnlyDictionary<Guid, string> branchCodes, IReadOnlyDictionary<Guid, string> unionNames)
    {
        string Branch(Guid? id) => id is { } branchId ? branchCodes.GetValueOrDefault(branchId, branchId.ToString()) : "no branch";
        return new DisputeSnapshot(
            new Dictionary<string, string?>
            {
                ["title"] = dispute.Title,
                ["slug"] = dispute.Slug,
                ["employer"] = dispute.Employer,
                ["union"] = unionNames.GetValueOrDefault(dispute.UnionId, dispute.UnionId.ToString()),
                ["status"] = dispute.Status.ToString(),
                ["workersInvolved"] = dispute.WorkersInvolved?.ToString(CultureInfo.InvariantCulture),
                ["targetPence"] = dispute.TargetPence?.ToString(CultureInfo.InvariantCulture),
                ["chequePayee"] = dispute.ChequePayee,
            },
            new Dictionary<string, string>
            {
                ["summary"] = dispute.Summary,
                ["body"] = dispute.Body,
                ["offlineGivingNotes"] = dispute.OfflineGivingNotes ?? "",
            },
            dispute.Workplaces.Select(w => $"{w.Name}, {w.Town} ({Branch(w.BranchId)})").Order(StringComparer.Ordinal).ToList(),
            dispute.Beneficiaries.Select(b => $"{Branch(b.BranchId)}: {DisputeForm.ShareText(b.ShareBasisPoints)}%").Order(StringComparer.Ordinal).ToList(),
            dispute.Actions.Select(a => $"{a.Kind} \"{a.Title}\" {a.StartsAt.UtcDateTime:yyyy-MM-ddTHH:mmZ} to {a.EndsAt.UtcDateTime:yyyy-MM-ddTHH:mmZ}"
                    + (a.Details is null ? "" : $", details {Fingerprint(a.Details)}"))
                .Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// A long text's fingerprint: enough to tell that it changed, while the audit log, which nothing edits, keeps none of
    /// its words (an action's details can name a person or give a phone number).
    /// </summary>
    private static string Fingerprint(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];

    /// <summary>Branch codes and union names by id, so audit details name things as people know them.</summary>
    public static async Task<(Dictionary<Guid, string> BranchCodes, Dictionary<Guid, string> UnionNames)> NamesAsync(
        SolidarityDbContext db, CancellationToken cancellationToken) =>
        (await db.Branches.AsNoTracking().ToDictionaryAsync(b => b.Id, b => b.Code, cancellationToken),
         await db.Unions.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken));

    /// <summary>A save refused by the unique index on the slug: another dispute took it in the meantime.</summary>
    public static bool IsSlugTaken(DbUpdateException exception) => exception.IsUniqueViolationOf("Slug");

    /// <summary>What a new dispute was created with.</summary>
    public object Created() => new
    {
        fields = Fields.Where(f => f.Value is not null).ToDictionary(),
        workplaces = Workplaces,
        beneficiaries = Beneficiaries,
        actions = Actions,
    };

    /// <summary>What changed from <paramref name="before"/> to this; null when nothing did.</summary>
    public Dictionary<string, object>? ChangesSince(DisputeSnapshot before)
    {
        var changes = new Dictionary<string, object>();
        foreach (var (name, value) in Fields)
        {
            var old = before.Fields[name];
            if (!string.Equals(old, value, StringComparison.Ordinal))
            {
                changes[name] = new { from = old, to = value };
            }
        }

        foreach (var (name, value) in LongTexts)
        {
            if (!string.Equals(before.LongTexts[name], value, StringComparison.Ordinal))
            {
                changes[name] = "changed";
            }
        }

        AddRows(changes, "workplaces", before.Workplaces, Workplaces);
        AddRows(changes, "beneficiaries", before.Beneficiaries, Beneficiaries);
        AddRows(changes, "actions", before.Actions, Actions);
        return changes.Count == 0 ? null : changes;
    }

    /// <summary>
    /// The rows removed and added, counted as a multiset: of two identical rows (two pickets at the same gate), removing
    /// one is a change.
    /// </summary>
    private static void AddRows(Dictionary<string, object> changes, string name, IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        var removed = Without(before, after);
        var added = Without(after, before);
        if (removed.Count > 0 || added.Count > 0)
        {
            changes[name] = new { removed, added };
        }
    }

    /// <summary>The rows of <paramref name="rows"/> left once each row of <paramref name="others"/> has taken away one equal to it.</summary>
    private static List<string> Without(IReadOnlyList<string> rows, IReadOnlyList<string> others)
    {
        var unmatched = others.GroupBy(r => r, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var left = new List<string>();
        foreach (var row in rows)
        {
            if (unmatched.GetValueOrDefault(row) is > 0 and var count)
            {
                unmatched[row] = count - 1;
            }
            else
            {
                left.Add(row);
            }
        }

        return left;
    }
}
