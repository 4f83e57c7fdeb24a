using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Rendering;
using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin;

/// <summary>A union picked from the list, or typed as a new name (which is matched to an existing union first).</summary>
internal static class UnionChoice
{
    public const string MissingMessage = "Choose the union, or type the name of a new one.";

    public const string NameTakenMessage =
        "Someone added a union of this name a moment ago, so nothing was saved: send the form again to use it.";

    /// <summary>
    /// A save refused by the unique index on unions' names: another admin added the same new union at the same moment.
    /// Sent again, the form finds that union by its name. The model error goes beside the new union's name.
    /// </summary>
    public static bool RefusedForName(DbUpdateException exception, ModelStateDictionary modelState, string fieldPrefix)
    {
        if (!exception.IsUniqueViolationOf("Unions"))
        {
            return false;
        }

        modelState.AddModelError($"{fieldPrefix}.NewUnionName", NameTakenMessage);
        return true;
    }

    public static async Task<List<SelectListItem>> OptionsAsync(SolidarityDbContext db, CancellationToken cancellationToken) =>
        await db.Unions.AsNoTracking().OrderBy(u => u.Name)
            .Select(u => new SelectListItem(u.Name, u.Id.ToString()))
            .ToListAsync(cancellationToken);

    /// <summary>The chosen union, tracked; a new one is added to the context. Null (with a model error) when none is usable.</summary>
    public static async Task<(Union? Union, bool Created)> ResolveAsync(
        SolidarityDbContext db, Guid? unionId, string? newUnionName, ModelStateDictionary modelState, string fieldPrefix,
        CancellationToken cancellationToken)
    {
        var typed = newUnionName?.Trim();
        if (!string.IsNullOrEmpty(typed))
        {
            var lowered = typed.ToLowerInvariant();
#pragma warning disable CA1304, CA1311, CA1862 // EF turns ToLower() into SQL lower(); neither a culture nor a StringComparison translates.
            var existing = await db.Unions.FirstOrDefaultAsync(u => u.Name.ToLower() == lowered, cancellationToken);
#pragma warning restore CA1304, CA1311, CA1862
            if (existing is not null)
            {
                return (existing, false);
            }

            var union = new Union { Name = typed };
            db.Unions.Add(union);
            return (union, true);
        }

        var chosen = unionId is { } id ? await db.Unions.FindAsync([id], cancellationToken) : null;
        if (chosen is null)
        {
            modelState.AddModelError($"{fieldPrefix}.UnionId", MissingMessage);
        }

        return (chosen, false);
    }
}
