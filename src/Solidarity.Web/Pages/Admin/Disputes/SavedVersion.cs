using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin.Disputes;

/// <summary>One field of the version another admin saved, as the form shows it, and whether it differs from what this admin typed.</summary>
internal sealed record SavedField(string Label, string Value, bool DiffersFromYours);

/// <summary>
/// What a refused save shows: the version another admin saved meanwhile, in the form's own terms (pounds, UK time, shares
/// in percent, the long texts whole), each field marked where it differs from what this admin typed, so that saving
/// again is a choice made knowing what it overwrites.
/// </summary>
internal static class SavedVersion
{
    public static IReadOnlyList<SavedField> Of(
        Dispute saved, DisputeInput typed, IReadOnlyDictionary<Guid, string> branchCodes, IReadOnlyDictionary<Guid, string> unionNames)
    {
        var theirs = DisputeForm.ToInput(saved);
        string Branch(Guid? id) => id is { } branchId ? branchCodes.GetValueOrDefault(branchId, "?") : "no branch";
        string Union(DisputeInput input) =>
            TypedText.TrimToNull(input.NewUnionName) ?? (input.UnionId is { } union ? unionNames.GetValueOrDefault(union, "") : "");
        string Target(DisputeInput input) =>
            TypedPounds.Read(input.Target) is { Problem: null, Pence: var pence } ? TypedPounds.Pounds(pence) : input.Target?.Trim() ?? "";
        string Rows(IEnumerable<string> rows) => string.Join("; ", rows.Order(StringComparer.Ordinal));
        string Workplaces(DisputeInput input) => Rows(input.Workplaces.Where(r => !r.IsBlank && !r.Remove)
            .Select(r => $"{r.Name?.Trim()}, {r.Town?.Trim()} ({Branch(r.BranchId)})"));
        string Beneficiaries(DisputeInput input) => Rows(input.Beneficiaries.Where(r => r.BranchId is not null)
            .Select(r => $"{Branch(r.BranchId)}: {(DisputeForm.TryParseShare(r.Share?.Trim(), out var share) ? DisputeForm.ShareText(share) : r.Share?.Trim())}%"));
        string Actions(DisputeInput input) => Rows(input.Actions.Where(r => !r.IsBlank && !r.Remove)
            .Select(r => $"{r.Kind} \"{r.Title?.Trim()}\" {r.Starts:yyyy-MM-dd HH:mm} to {r.Ends:yyyy-MM-dd HH:mm}"
                + (TypedText.TrimToNull(r.Details) is { } details ? $": {details}" : "")));

        (string Label, Func<DisputeInput, string?> Read)[] fields =
        [
            ("Title", i => i.Title.Trim()),
            ("Web address name", i => i.Slug.Trim()),
            ("Employer", i => i.Employer.Trim()),
            ("Union", Union),
            ("Status", i => i.Status.Label()),
            ("Workers involved (about)", i => i.WorkersInvolved?.Replace(",", "", StringComparison.Ordinal).Trim()),
            ("Fundraising target", Target),
            ("Cheques payable to", i => i.ChequePayee?.Trim()),
            ("Summary for cards and link previews", i => i.Summary.Trim()),
            ("Why the workers are out", i => TypedText.WithNewlines(i.Body).Trim()),
            ("Other ways to give (bank transfer, collections)", i => TypedText.WithNewlines(i.OfflineGivingNotes ?? "").Trim()),
            ("Workplaces", Workplaces),
            ("Beneficiary branches", Beneficiaries),
            ("Actions (UK time)", Actions),
        ];
        return fields.Select(field =>
        {
            var value = field.Read(theirs) ?? "";
            return new SavedField(field.Label, value.Length == 0 ? "(none)" : value, !string.Equals(value, field.Read(typed) ?? "", StringComparison.Ordinal));
        }).ToList();
    }
}
