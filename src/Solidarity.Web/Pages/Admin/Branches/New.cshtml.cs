using Microsoft.AspNetCore.Mvc.Rendering;
using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin.Branches;

internal sealed class NewModel(SolidarityDbContext db, AuditTrail audit) : PageModel, IBranchFormPage
{
    [BindProperty]
    public BranchInput Input { get; set; } = new();

    public IReadOnlyList<SelectListItem> Unions { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Unions = await UnionChoice.OptionsAsync(db, cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var (union, unionCreated) = await UnionChoice.ResolveAsync(db, Input.UnionId, Input.NewUnionName, ModelState, "Input", cancellationToken);
        await BranchForm.CheckAsync(Input, branchId: null, db, ModelState, cancellationToken);
        if (union is null || !ModelState.IsValid)
        {
            Unions = await UnionChoice.OptionsAsync(db, cancellationToken);
            return Page();
        }

        var branch = new Branch { Code = "", Name = "", PostalAddress = "", ContactName = "" };
        BranchForm.Apply(Input, union.Id, branch);
        db.Branches.Add(branch);
        if (unionCreated)
        {
            audit.Record(User, AuditActions.UnionCreated, "Union", union.Id.ToString(), new { name = union.Name });
        }

        audit.Record(User, AuditActions.BranchCreated, "Branch", branch.Id.ToString(), BranchForm.Snapshot(branch, union.Name));
        if (!await BranchForm.SaveAsync(db, ModelState, cancellationToken))
        {
            Unions = await UnionChoice.OptionsAsync(db, cancellationToken);
            return Page();
        }

        TempData["Notice"] = $"Branch {branch.Code} added.";
        return RedirectToPage("/Admin/Branches/Index");
    }
}
