using Microsoft.AspNetCore.Mvc.Rendering;
using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin.Branches;

internal sealed class EditModel(SolidarityDbContext db, AuditTrail audit, PublicPageCache cache) : PageModel, IBranchFormPage
{
    [BindProperty]
    public BranchInput Input { get; set; } = new();

    public IReadOnlyList<SelectListItem> Unions { get; private set; } = [];

    /// <summary>The branch as someone else saved it after this form was opened, when that is why nothing was saved.</summary>
    public IReadOnlyDictionary<string, string?>? Stale { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        var branch = await db.Branches.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, cancellationToken);
        if (branch is null)
        {
            return NotFound();
        }

        Input = BranchForm.ToInput(branch);
        Unions = await UnionChoice.OptionsAsync(db, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        var branch = await db.Branches.Include(b => b.Union).SingleOrDefaultAsync(b => b.Id == id, cancellationToken);
        if (branch is null)
        {
            return NotFound();
        }

        var (union, unionCreated) = await UnionChoice.ResolveAsync(db, Input.UnionId, Input.NewUnionName, ModelState, "Input", cancellationToken);
        await BranchForm.CheckAsync(Input, branch.Id, db, ModelState, cancellationToken);
        if (union is null || !ModelState.IsValid)
        {
            Unions = await UnionChoice.OptionsAsync(db, cancellationToken);
            return Page();
        }

        if (Input.Version != branch.Version)
        {
            return await RefuseStaleAsync(branch, cancellationToken);
        }

        var before = BranchForm.Snapshot(branch, branch.Union.Name);
        BranchForm.Apply(Input, union.Id, branch);
        var changes = BranchForm.Changes(before, BranchForm.Snapshot(branch, union.Name));
        if (changes.Count == 0)
        {
            TempData["Notice"] = "Nothing had changed, so nothing was saved.";
            return RedirectToPage("/Admin/Branches/Index");
        }

        if (unionCreated)
        {
            audit.Record(User, AuditActions.UnionCreated, "Union", union.Id.ToString(), new { name = union.Name });
        }

        audit.Record(User, AuditActions.BranchEdited, "Branch", branch.Id.ToString(), changes);

        // The version this form was filled from is checked by the database in the statement that saves it.
        db.Entry(branch).Property(b => b.Version).OriginalValue = Input.Version;
        try
        {
            if (!await BranchForm.SaveAsync(db, ModelState, cancellationToken))
            {
                Unions = await UnionChoice.OptionsAsync(db, cancellationToken);
                return Page();
            }
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.Branches.Include(b => b.Union).SingleOrDefaultAsync(b => b.Id == id, cancellationToken);
            return current is null ? NotFound() : await RefuseStaleAsync(current, cancellationToken);
        }

        // A branch's name and address are on the page of every dispute it is a beneficiary of.
        await cache.EvictAllAsync(cancellationToken);
        TempData["Notice"] = $"Branch {branch.Code} saved.";
        return RedirectToPage("/Admin/Branches/Index");
    }

    private async Task<IActionResult> RefuseStaleAsync(Branch current, CancellationToken cancellationToken)
    {
        Stale = BranchForm.Snapshot(current, current.Union.Name);
        ModelState.AddModelError("", BranchForm.StaleMessage);

        // The form keeps what this person typed; the version moves on, so saving again is a deliberate overwrite.
        ModelState.Remove("Input.Version");
        Input.Version = current.Version;
        Unions = await UnionChoice.OptionsAsync(db, cancellationToken);
        return Page();
    }
}
