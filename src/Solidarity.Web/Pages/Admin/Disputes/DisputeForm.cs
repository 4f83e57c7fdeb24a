using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Rendering;
using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin.Disputes;

/// <summary>What the dispute form posts. Rows left blank are ignored, so the form works without JavaScript.</summary>
internal sealed class DisputeInput
{
    public const string SlugPattern = "^[a-z0-9]+(-[a-z0-9]+)*$";

    [Required(ErrorMessage = "Enter a title.")]
    [StringLength(200, ErrorMessage = TypedText.TooLong)]
    public string Title { get; set; } = "";

    [Required(ErrorMessage = "Enter the web address name, e.g. argos-warehouses-2017.")]
    [StringLength(80, ErrorMessage = TypedText.TooLong)]
    [RegularExpression(SlugPattern, ErrorMessage = "Use only lower-case letters and digits, with single hyphens between words, e.g. argos-warehouses-2017.")]
    public string Slug { get; set; } = "";

    [Required(ErrorMessage = "Enter the employer.")]
    [StringLength(200, ErrorMessage = TypedText.TooLong)]
    public string Employer { get; set; } = "";

    public Guid? UnionId { get; set; }

    [StringLength(200, ErrorMessage = TypedText.TooLong)]
    public string? NewUnionName { get; set; }

    [Required(ErrorMessage = "Enter a short summary.")]
    [StringLength(500, ErrorMessage = TypedText.TooLong)]
    public string Summary { get; set; } = "";

    [Required(ErrorMessage = "Say why the workers are in dispute.")]
    [StringLength(20_000, ErrorMessage = TypedText.TooLong)]
    public string Body { get; set; } = "";

    public DisputeStatus Status { get; set; } = DisputeStatus.TakingAction;

    /// <summary>A whole number as typed ("1400" or "1,400"); read by the form's rules.</summary>
    [StringLength(20, ErrorMessage = TypedText.TooLong)]
    public string? WorkersInvolved { get; set; }

    /// <summary>Pounds as typed ("25,000" or "25000.50"); parsed into pence by the form's rules.</summary>
    [StringLength(20, ErrorMessage = TypedText.TooLong)]
    public string? Target { get; set; }

    [StringLength(200, ErrorMessage = TypedText.TooLong)]
    public string? ChequePayee { get; set; }

    [StringLength(4_000, ErrorMessage = TypedText.TooLong)]
    public string? OfflineGivingNotes { get; set; }

    public List<WorkplaceRow> Workplaces { get; set; } = [];
    public List<BeneficiaryRow> Beneficiaries { get; set; } = [];
    public List<ActionRow> Actions { get; set; } = [];

    /// <summary>The row version the form was filled from; a different one at save means someone else saved first.</summary>
    public uint Version { get; set; }

    /// <summary>
    /// A new dispute's id, chosen when the form is shown: the same form sent twice (a double click) creates one dispute,
    /// and the second answer leads to it.
    /// </summary>
    public Guid? EntryId { get; set; }
}

/// <summary>A row of a repeating part of the form that stands for an item the dispute may already have.</summary>
internal interface IExistingItemRow
{
    /// <summary>The item the row was filled from; null for a row added on the form.</summary>
    Guid? Id { get; }

    /// <summary>Ticked to take the item off the dispute.</summary>
    bool Remove { get; }

    /// <summary>Nothing typed in: an unused row, passed over.</summary>
    bool IsBlank { get; }
}

internal sealed class WorkplaceRow : IExistingItemRow
{
    public Guid? Id { get; set; }

    [StringLength(200, ErrorMessage = TypedText.TooLong)]
    public string? Name { get; set; }

    [StringLength(200, ErrorMessage = TypedText.TooLong)]
    public string? Town { get; set; }

    public Guid? BranchId { get; set; }
    public bool Remove { get; set; }

    public bool IsBlank => Id is null && string.IsNullOrWhiteSpace(Name) && string.IsNullOrWhiteSpace(Town) && BranchId is null;
}

internal sealed class BeneficiaryRow
{
    public Guid? BranchId { get; set; }

    /// <summary>Percent with up to two decimals ("33.33"); stored as basis points.</summary>
    [StringLength(10, ErrorMessage = TypedText.TooLong)]
    public string? Share { get; set; }

    internal bool IsBlank => BranchId is null && string.IsNullOrWhiteSpace(Share);
}

internal sealed class ActionRow : IExistingItemRow
{
    public Guid? Id { get; set; }
    public ActionKind Kind { get; set; } = ActionKind.Strike;

    [StringLength(200, ErrorMessage = TypedText.TooLong)]
    public string? Title { get; set; }

    [StringLength(2_000, ErrorMessage = TypedText.TooLong)]
    public string? Details { get; set; }

    /// <summary>London wall-clock time, as a person reads it on a leaflet.</summary>
    public DateTime? Starts { get; set; }

    public DateTime? Ends { get; set; }
    public bool Remove { get; set; }

    public bool IsBlank => Id is null && string.IsNullOrWhiteSpace(Title) && string.IsNullOrWhiteSpace(Details) && Starts is null && Ends is null;
}

/// <summary>The choices the form offers.</summary>
internal sealed record DisputeFormOptions(IReadOnlyList<SelectListItem> Unions, IReadOnlyList<SelectListItem> Branches)
{
    public static readonly IReadOnlyList<SelectListItem> Statuses =
        Enum.GetValues<DisputeStatus>().Select(s => new SelectListItem(s.Label(), s.ToString())).ToList();

    public static readonly IReadOnlyList<SelectListItem> ActionKinds =
        Enum.GetValues<ActionKind>().Select(k => new SelectListItem(DisputeForm.KindLabel(k), k.ToString())).ToList();

    public static async Task<DisputeFormOptions> LoadAsync(SolidarityDbContext db, CancellationToken cancellationToken) =>
        new(await UnionChoice.OptionsAsync(db, cancellationToken),
            await db.Branches.AsNoTracking().OrderBy(b => b.Code)
                .Select(b => new SelectListItem(b.Code + " · " + b.Name, b.Id.ToString()))
                .ToListAsync(cancellationToken));
}

/// <summary>A page that shows the dispute form (the new and the edit page).</summary>
internal interface IDisputeFormPage
{
    DisputeInput Input { get; }
    DisputeFormOptions Options { get; }
}

/// <summary>The form's input once every rule has passed: pence, basis points and UTC instants.</summary>
internal sealed record CheckedDispute(
    int? WorkersInvolved,
    long? TargetPence,
    IReadOnlyList<WorkplaceRow> Workplaces,
    IReadOnlyList<(Guid BranchId, int ShareBasisPoints)> Beneficiaries,
    IReadOnlyList<(ActionRow Row, DateTimeOffset StartsAt, DateTimeOffset EndsAt)> Actions);

internal static partial class DisputeForm
{
    /// <summary>A target above this is almost certainly a typing slip.</summary>
    public const long MaxTargetPence = 100_000_000_00;

    /// <summary>More workers than this is a typing slip.</summary>
    public const int MaxWorkersInvolved = 10_000_000;

    public const string WorkersInvolvedMessage = "Enter the number of workers as a whole number from 1 upwards, like 1400 or 1,400.";

    public const string SharesMustTotalMessage = "Shares must add up to exactly 100%";
    public const string SlugTakenMessage = "Another dispute already uses this web address. Choose a different one.";
    public const string StaleMessage =
        "Someone else saved this dispute after you opened it. Nothing was saved: your changes are still in the form below. " +
        "Compare them with the current version shown here, then save again to replace it.";

    public static string KindLabel(ActionKind kind) => kind switch
    {
        ActionKind.Strike => "Strike",
        ActionKind.OvertimeBan => "Overtime ban",
        ActionKind.WorkToRule => "Work to rule",
        ActionKind.Demonstration => "Demonstration",
        _ => "Other action",
    };

    public static string ShareText(int basisPoints) => (basisPoints / 100m).ToString("0.##", CultureInfo.InvariantCulture);

    public static string? PoundsText(long? pence) =>
        pence is { } p ? (p / 100m).ToString(p % 100 == 0 ? "0" : "0.00", CultureInfo.InvariantCulture) : null;

    /// <summary>Appends blank rows for new workplaces, beneficiaries and actions.</summary>
    public static void AddBlankRows(DisputeInput input)
    {
        AddBlank(input.Workplaces, count: 3);
        AddBlank(input.Beneficiaries, count: 3);
        AddBlank(input.Actions, count: 2);
    }

    private static void AddBlank<TRow>(List<TRow> rows, int count)
        where TRow : new() =>
        rows.AddRange(Enumerable.Range(0, count).Select(_ => new TRow()));

    /// <summary>The rules DataAnnotations cannot express. Adds model errors; returns null when any rule failed.</summary>
    public static async Task<CheckedDispute?> CheckAsync(
        DisputeInput input, Dispute? existing, SolidarityDbContext db, ModelStateDictionary modelState, CancellationToken cancellationToken)
    {
        var errorsBefore = modelState.ErrorCount;
        TypedText.CheckLine(input.Title, modelState, "Input.Title");
        TypedText.CheckLine(input.Employer, modelState, "Input.Employer");
        TypedText.CheckText(input.Summary, modelState, "Input.Summary");
        TypedText.CheckText(input.Body, modelState, "Input.Body");
        if (!Enum.IsDefined(input.Status))
        {
            modelState.AddModelError("Input.Status", "Choose a status from the list.");
        }

        // A name another dispute had before counts as taken: links shared under it still lead to that dispute.
        var existingId = existing?.Id;
        if (!string.IsNullOrEmpty(input.Slug)
            && (await db.Disputes.AnyAsync(d => d.Slug == input.Slug && d.Id != existingId, cancellationToken)
                || await db.FormerSlugs.AnyAsync(f => f.Slug == input.Slug && f.DisputeId != existingId, cancellationToken)))
        {
            modelState.AddModelError("Input.Slug", SlugTakenMessage);
        }

        var workers = CheckWorkers(input.WorkersInvolved, modelState);
        var target = CheckTarget(input.Target, modelState);
        var branchIds = (await db.Branches.Select(b => b.Id).ToListAsync(cancellationToken)).ToHashSet();
        var workplaces = CheckWorkplaces(input, existing, branchIds, modelState);
        var beneficiaries = CheckBeneficiaries(input, branchIds, modelState);
        var actions = CheckActions(input, existing, modelState);

        return modelState.ErrorCount > errorsBefore || !modelState.IsValid
            ? null
            : new CheckedDispute(workers, target, workplaces, beneficiaries, actions);
    }

    /// <summary>
    /// A count as people write it: digits, grouped in threes by commas or spaces or not at all. A number box would turn
    /// "1,400" into nothing, and the count would be saved blank without a word.
    /// </summary>
    private static int? CheckWorkers(string? text, ModelStateDictionary modelState)
    {
        if (TypedText.TrimToNull(text) is not { } typed)
        {
            return null;
        }

        if (!GroupedDigits().IsMatch(typed)
            || !int.TryParse(typed.Replace(",", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var workers)
            || workers is < 1 or > MaxWorkersInvolved)
        {
            modelState.AddModelError("Input.WorkersInvolved", WorkersInvolvedMessage);
            return null;
        }

        return workers;
    }

    [GeneratedRegex("^(?:[0-9]+|[0-9]{1,3}(?:[, ][0-9]{3})+)$")]
    private static partial Regex GroupedDigits();

    private static long? CheckTarget(string? text, ModelStateDictionary modelState)
    {
        if (TypedText.TrimToNull(text) is null)
        {
            return null;
        }

        var target = TypedPounds.Read(text, "target", maximumPence: MaxTargetPence);
        if (target.Problem is { } problem)
        {
            modelState.AddModelError("Input.Target", problem);
            return null;
        }

        return target.Pence;
    }

    /// <summary>
    /// The rows of a repeating part of the form to check and keep, each with its key in the model state: blank rows and
    /// rows ticked for removal are passed over, and a row naming an item the dispute no longer has (someone else removed
    /// it meanwhile) is refused with <paramref name="gone"/> on its <paramref name="field"/>.
    /// </summary>
    private static IEnumerable<(TRow Row, string Key)> RowsToCheck<TRow>(
        List<TRow> rows, string listName, IEnumerable<Guid>? existingIds, string field, string gone, ModelStateDictionary modelState)
        where TRow : IExistingItemRow
    {
        var existing = existingIds?.ToHashSet() ?? [];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var key = $"Input.{listName}[{i}]";
            if (row.IsBlank || row.Remove)
            {
                continue;
            }

            if (row.Id is { } id && !existing.Contains(id))
            {
                modelState.AddModelError($"{key}.{field}", gone);
                continue;
            }

            yield return (row, key);
        }
    }

    private static List<WorkplaceRow> CheckWorkplaces(DisputeInput input, Dispute? existing, HashSet<Guid> branchIds, ModelStateDictionary modelState)
    {
        var kept = new List<WorkplaceRow>();
        var rows = RowsToCheck(
            input.Workplaces, nameof(DisputeInput.Workplaces), existing?.Workplaces.Select(w => w.Id), nameof(WorkplaceRow.Name),
            "This workplace is not part of this dispute any more. Reload the page.", modelState);
        foreach (var (row, key) in rows)
        {
            if (string.IsNullOrWhiteSpace(row.Name))
            {
                modelState.AddModelError($"{key}.Name", row.Id is null
                    ? "Enter the workplace's name, or clear the row."
                    : "Enter the workplace's name, or tick Remove to take it off the dispute.");
            }

            if (string.IsNullOrWhiteSpace(row.Town))
            {
                modelState.AddModelError($"{key}.Town", "Enter the town.");
            }

            if (row.BranchId is { } branchId && !branchIds.Contains(branchId))
            {
                modelState.AddModelError($"{key}.BranchId", "Choose a branch from the list.");
            }

            kept.Add(row);
        }

        return kept;
    }

    private static List<(Guid, int)> CheckBeneficiaries(DisputeInput input, HashSet<Guid> branchIds, ModelStateDictionary modelState)
    {
        var shares = new List<(Guid, int)>();
        var rowsValid = true;
        for (var i = 0; i < input.Beneficiaries.Count; i++)
        {
            var row = input.Beneficiaries[i];
            var key = $"Input.Beneficiaries[{i}]";
            if (row.IsBlank)
            {
                continue;
            }

            if (row.BranchId is not { } branchId || !branchIds.Contains(branchId))
            {
                modelState.AddModelError($"{key}.BranchId", "Choose the branch, or clear the row.");
                rowsValid = false;
                continue;
            }

            if (shares.Any(s => s.Item1 == branchId))
            {
                modelState.AddModelError($"{key}.BranchId", "This branch is listed twice: give it one row with its whole share.");
                rowsValid = false;
                continue;
            }

            if (!TryParseShare(row.Share, out var basisPoints))
            {
                modelState.AddModelError($"{key}.Share", "Enter the share as a percentage above 0 and up to 100, with at most two decimals, e.g. 50 or 33.33.");
                rowsValid = false;
                continue;
            }

            shares.Add((branchId, basisPoints));
        }

        if (rowsValid && shares.Count == 0)
        {
            modelState.AddModelError("Input.Beneficiaries", "Add at least one beneficiary branch: the money raised goes to the branches listed here.");
        }
        else if (rowsValid && shares.Sum(s => s.Item2) != BeneficiaryBranch.WholeShare)
        {
            var total = ShareText(shares.Sum(s => s.Item2));
            modelState.AddModelError("Input.Beneficiaries", $"{SharesMustTotalMessage}; these add up to {total}%.");
        }

        return shares;
    }

    private static List<(ActionRow, DateTimeOffset, DateTimeOffset)> CheckActions(DisputeInput input, Dispute? existing, ModelStateDictionary modelState)
    {
        var kept = new List<(ActionRow, DateTimeOffset, DateTimeOffset)>();
        var rows = RowsToCheck(
            input.Actions, nameof(DisputeInput.Actions), existing?.Actions.Select(a => a.Id), nameof(ActionRow.Title),
            "This action is not part of this dispute any more. Reload the page.", modelState);
        foreach (var (row, key) in rows)
        {
            if (!Enum.IsDefined(row.Kind))
            {
                modelState.AddModelError($"{key}.Kind", "Choose the kind of action from the list.");
            }

            if (string.IsNullOrWhiteSpace(row.Title))
            {
                modelState.AddModelError($"{key}.Title", "Enter a title for the action, e.g. Two-week continuous strike.");
            }

            if (row.Starts is null)
            {
                modelState.AddModelError($"{key}.Starts", "Enter when the action starts.");
            }

            if (row.Ends is null)
            {
                modelState.AddModelError($"{key}.Ends", "Enter when the action ends.");
            }

            foreach (var (time, field) in new[] { (row.Starts, "Starts"), (row.Ends, "Ends") })
            {
                if (time is { } wallClock && LondonClock.IsSkipped(wallClock))
                {
                    modelState.AddModelError($"{key}.{field}", LondonClock.SkippedTimeMessage);
                }
            }

            if (row is { Starts: { } starts, Ends: { } ends } && !LondonClock.IsSkipped(starts) && !LondonClock.IsSkipped(ends))
            {
                var startsAt = LondonClock.FromLondon(starts);
                var endsAt = LondonClock.FromLondon(ends);
                if (endsAt <= startsAt)
                {
                    modelState.AddModelError($"{key}.Ends", "The end must be after the start.");
                    continue;
                }

                kept.Add((row, startsAt, endsAt));
            }
        }

        return kept;
    }

    /// <summary>"50", "33.33", "12.5%": percent with at most two decimals, as basis points.</summary>
    public static bool TryParseShare(string? text, out int basisPoints)
    {
        basisPoints = 0;
        var match = text is null ? null : SharePattern().Match(text.Trim().TrimEnd('%').TrimEnd());
        if (match is null || !match.Success)
        {
            return false;
        }

        var whole = int.Parse(match.Groups["whole"].Value, CultureInfo.InvariantCulture);
        var hundredths = match.Groups["fraction"].Success ? int.Parse(match.Groups["fraction"].Value.PadRight(2, '0'), CultureInfo.InvariantCulture) : 0;
        basisPoints = whole * 100 + hundredths;
        return basisPoints is > 0 and <= BeneficiaryBranch.WholeShare;
    }

    /// <summary>Copies checked input onto the dispute, adding, changing and removing its rows to match.</summary>
    /// <remarks>
    /// New rows are added to the context explicitly: their ids are set on construction, and a row with an id that
    /// EF finds only through a navigation is taken for an existing one and updated instead of inserted.
    /// </remarks>
    public static void Apply(DisputeInput input, CheckedDispute checkedInput, Guid unionId, Dispute dispute, SolidarityDbContext db)
    {
        dispute.Title = input.Title.Trim();
        dispute.Slug = input.Slug;
        dispute.Employer = input.Employer.Trim();
        dispute.UnionId = unionId;
        dispute.Summary = input.Summary.Trim();
        dispute.Body = input.Body.Trim();
        dispute.Status = input.Status;
        dispute.WorkersInvolved = checkedInput.WorkersInvolved;
        dispute.TargetPence = checkedInput.TargetPence;
        dispute.ChequePayee = TypedText.TrimToNull(input.ChequePayee);
        dispute.OfflineGivingNotes = TypedText.TrimToNull(input.OfflineGivingNotes);

        var keptWorkplaces = checkedInput.Workplaces.Where(r => r.Id is not null).Select(r => r.Id!.Value).ToHashSet();
        dispute.Workplaces.RemoveAll(w => !keptWorkplaces.Contains(w.Id));
        foreach (var row in checkedInput.Workplaces)
        {
            var workplace = dispute.Workplaces.FirstOrDefault(w => w.Id == row.Id);
            if (workplace is null)
            {
                workplace = new Workplace { DisputeId = dispute.Id, Name = "", Town = "" };
                AddRow(db.Workplaces, dispute.Workplaces, workplace);
            }

            workplace.Name = row.Name!.Trim();
            workplace.Town = row.Town!.Trim();
            workplace.BranchId = row.BranchId;
        }

        var keptBranches = checkedInput.Beneficiaries.Select(b => b.BranchId).ToHashSet();
        dispute.Beneficiaries.RemoveAll(b => !keptBranches.Contains(b.BranchId));
        foreach (var (branchId, share) in checkedInput.Beneficiaries)
        {
            var beneficiary = dispute.Beneficiaries.FirstOrDefault(b => b.BranchId == branchId);
            if (beneficiary is null)
            {
                beneficiary = new BeneficiaryBranch { DisputeId = dispute.Id, BranchId = branchId };
                AddRow(db.BeneficiaryBranches, dispute.Beneficiaries, beneficiary);
            }

            beneficiary.ShareBasisPoints = share;
        }

        var keptActions = checkedInput.Actions.Where(a => a.Row.Id is not null).Select(a => a.Row.Id!.Value).ToHashSet();
        dispute.Actions.RemoveAll(a => !keptActions.Contains(a.Id));
        foreach (var (row, startsAt, endsAt) in checkedInput.Actions)
        {
            var action = dispute.Actions.FirstOrDefault(a => a.Id == row.Id);
            if (action is null)
            {
                action = new DisputeAction { DisputeId = dispute.Id, Title = "" };
                AddRow(db.DisputeActions, dispute.Actions, action);
            }

            action.Kind = row.Kind;
            action.Title = row.Title!.Trim();
            action.Details = TypedText.TrimToNull(row.Details);
            action.StartsAt = startsAt;
            action.EndsAt = endsAt;
        }
    }

    /// <summary>
    /// Keeps a dispute's web address name as a former one when an edit changes it, so links already shared go on working,
    /// and gives up the new name as a former one when the dispute takes it back. Saved with the edit.
    /// </summary>
    public static async Task RetireSlugAsync(
        SolidarityDbContext db, Dispute dispute, string before, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (before == dispute.Slug)
        {
            return;
        }

        db.FormerSlugs.Add(new FormerSlug { Slug = before, DisputeId = dispute.Id, RetiredAt = now });
        if (await db.FormerSlugs.FindAsync([dispute.Slug], cancellationToken) is { } takenBack && takenBack.DisputeId == dispute.Id)
        {
            db.FormerSlugs.Remove(takenBack);
        }
    }

    /// <summary>
    /// A new row, added to the context and to the dispute's collection once: when the dispute is tracked, adding the row to
    /// the context already puts it in the collection, and a second copy there would count it twice.
    /// </summary>
    private static void AddRow<TRow>(DbSet<TRow> rows, List<TRow> collection, TRow row)
        where TRow : class
    {
        rows.Add(row);
        if (!collection.Contains(row))
        {
            collection.Add(row);
        }
    }

    /// <summary>The form's input for an existing dispute, with blank rows for additions.</summary>
    public static DisputeInput ToInput(Dispute dispute)
    {
        var input = new DisputeInput
        {
            Title = dispute.Title,
            Slug = dispute.Slug,
            Employer = dispute.Employer,
            UnionId = dispute.UnionId,
            Summary = dispute.Summary,
            Body = dispute.Body,
            Status = dispute.Status,
            WorkersInvolved = dispute.WorkersInvolved?.ToString(CultureInfo.InvariantCulture),
            Target = PoundsText(dispute.TargetPence),
            ChequePayee = dispute.ChequePayee,
            OfflineGivingNotes = dispute.OfflineGivingNotes,
            Version = dispute.Version,
            Workplaces = dispute.Workplaces.OrderBy(w => w.Name)
                .Select(w => new WorkplaceRow { Id = w.Id, Name = w.Name, Town = w.Town, BranchId = w.BranchId }).ToList(),
            Beneficiaries = dispute.Beneficiaries.OrderByDescending(b => b.ShareBasisPoints)
                .Select(b => new BeneficiaryRow { BranchId = b.BranchId, Share = ShareText(b.ShareBasisPoints) }).ToList(),
            Actions = dispute.Actions.OrderBy(a => a.StartsAt)
                .Select(a => new ActionRow
                {
                    Id = a.Id, Kind = a.Kind, Title = a.Title, Details = a.Details,
                    Starts = LondonClock.ToLondon(a.StartsAt).DateTime, Ends = LondonClock.ToLondon(a.EndsAt).DateTime,
                }).ToList(),
        };
        AddBlankRows(input);
        return input;
    }

    [GeneratedRegex(@"^(?<whole>[0-9]{1,3})(\.(?<fraction>[0-9]{1,2}))?$")]
    private static partial Regex SharePattern();
}
