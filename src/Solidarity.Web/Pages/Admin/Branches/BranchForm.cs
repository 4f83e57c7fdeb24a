using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Rendering;
using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin.Branches;

internal sealed class BranchInput
{
    [Required(ErrorMessage = "Enter the union's code for the branch, e.g. WM7680.")]
    [StringLength(32, ErrorMessage = TypedText.TooLong)]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9/-]*$", ErrorMessage = "Use letters, digits, hyphens and slashes only, e.g. WM7680.")]
    public string Code { get; set; } = "";

    [Required(ErrorMessage = "Enter the branch's name.")]
    [StringLength(200, ErrorMessage = TypedText.TooLong)]
    public string Name { get; set; } = "";

    public Guid? UnionId { get; set; }

    [StringLength(200, ErrorMessage = TypedText.TooLong)]
    public string? NewUnionName { get; set; }

    [Required(ErrorMessage = "Enter the postal address for cheques and letters.")]
    [StringLength(1_000, ErrorMessage = TypedText.TooLong)]
    public string PostalAddress { get; set; } = "";

    [Required(ErrorMessage = "Enter the contact's name (a role such as Branch Secretary is fine).")]
    [StringLength(200, ErrorMessage = TypedText.TooLong)]
    public string ContactName { get; set; } = "";

    [DeliverableEmail(ErrorMessage = "Enter an email address like secretary@example.org.")]
    [StringLength(320, ErrorMessage = TypedText.TooLong)]
    public string? ContactEmail { get; set; }

    /// <summary>Publish the branch's money on the open books only as of its last weekly statement, never live.</summary>
    public bool BooksAsOfStatement { get; set; }

    /// <summary>The version of the branch the form was filled from (none for a new branch).</summary>
    public uint Version { get; set; }
}

internal interface IBranchFormPage
{
    BranchInput Input { get; }
    IReadOnlyList<SelectListItem> Unions { get; }
}

internal static class BranchForm
{
    public const string CodeTakenMessage = "Another branch already has this code.";

    public const string StaleMessage =
        "Someone else saved this branch after you opened it. Nothing was saved: your changes are still in the form below. " +
        "Compare them with the current version shown here, then save again to replace it.";

    public static async Task CheckAsync(BranchInput input, Guid? branchId, SolidarityDbContext db, ModelStateDictionary modelState, CancellationToken cancellationToken)
    {
        var code = Normalise(input.Code);
        if (code.Length > 0 && await db.Branches.AnyAsync(b => b.Code == code && b.Id != branchId, cancellationToken))
        {
            modelState.AddModelError("Input.Code", CodeTakenMessage);
        }
    }

    /// <summary>Saves the branch and its audit entries; false, with the message at the code (or at the new union's name), when another admin took it meanwhile.</summary>
    public static async Task<bool> SaveAsync(SolidarityDbContext db, ModelStateDictionary modelState, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            if (!UnionChoice.RefusedForName(e, modelState, "Input"))
            {
                modelState.AddModelError("Input.Code", CodeTakenMessage);
            }

            return false;
        }
    }

    public static void Apply(BranchInput input, Guid unionId, Branch branch)
    {
        branch.Code = Normalise(input.Code);
        branch.Name = input.Name.Trim();
        branch.UnionId = unionId;
        branch.PostalAddress = input.PostalAddress.Trim().ReplaceLineEndings("\n");
        branch.ContactName = input.ContactName.Trim();
        branch.ContactEmail = TypedText.TrimToNull(input.ContactEmail);
        branch.BooksAsOfStatement = input.BooksAsOfStatement;
    }

    public static BranchInput ToInput(Branch branch) => new()
    {
        Code = branch.Code,
        Name = branch.Name,
        UnionId = branch.UnionId,
        PostalAddress = branch.PostalAddress,
        ContactName = branch.ContactName,
        ContactEmail = branch.ContactEmail,
        BooksAsOfStatement = branch.BooksAsOfStatement,
        Version = branch.Version,
    };

    public static Dictionary<string, string?> Snapshot(Branch branch, string unionName) => new()
    {
        ["code"] = branch.Code,
        ["name"] = branch.Name,
        ["union"] = unionName,
        ["postalAddress"] = branch.PostalAddress,
        ["contactName"] = branch.ContactName,
        ["contactEmail"] = branch.ContactEmail,
        ["booksAsOfStatement"] = branch.BooksAsOfStatement ? "yes" : "no",
    };

    public static Dictionary<string, object> Changes(Dictionary<string, string?> before, Dictionary<string, string?> after) =>
        after.Where(f => !string.Equals(before[f.Key], f.Value, StringComparison.Ordinal))
            .ToDictionary(f => f.Key, f => (object)new { from = before[f.Key], to = f.Value });

    private static string Normalise(string code) => code.Trim().ToUpperInvariant();
}
