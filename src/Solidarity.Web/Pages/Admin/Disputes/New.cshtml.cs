using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin.Disputes;

internal sealed class NewModel(SolidarityDbContext db, AuditTrail audit, TimeProvider time) : PageModel, IDisputeFormPage
{
    [BindProperty]
    public DisputeInput Input { get; set; } = new();

    public DisputeFormOptions Options { get; private set; } = default!;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        DisputeForm.AddBlankRows(Input);
        Options = await DisputeFormOptions.LoadAsync(db, cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var (union, unionCreated) = await UnionChoice.ResolveAsync(db, Input.UnionId, Input.NewUnionName, ModelState, "Input", cancellationToken);
        var checkedInput = await DisputeForm.CheckAsync(Input, existing: null, db, ModelState, cancellationToken);
        if (union is null || checkedInput is null || !ModelState.IsValid)
        {
            return await RedisplayAsync(cancellationToken);
        }

        var now = time.GetUtcNow();
        var dispute = new Dispute
        {
            Slug = Input.Slug, Title = Input.Title, Employer = Input.Employer, Summary = Input.Summary, Body = Input.Body,
            CreatedAt = now, UpdatedAt = now, IsPublished = false,
        };
        DisputeForm.Apply(Input, checkedInput, union.Id, dispute, db);
        db.Disputes.Add(dispute);

        var (branchCodes, unionNames) = await DisputeSnapshot.NamesAsync(db, cancellationToken);
        unionNames[union.Id] = union.Name;
        if (unionCreated)
        {
            audit.Record(User, AuditActions.UnionCreated, "Union", union.Id.ToString(), new { name = union.Name });
        }

        audit.Record(User, AuditActions.DisputeCreated, "Dispute", dispute.Id.ToString(),
            DisputeSnapshot.Of(dispute, branchCodes, unionNames).Created());
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DisputeSnapshot.IsSlugTaken(exception))
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError("Input.Slug", DisputeForm.SlugTakenMessage);
            return await RedisplayAsync(cancellationToken);
        }

        TempData["Notice"] = "Dispute created. It is not on the public site until you publish it.";
        return RedirectToPage("/Admin/Disputes/Edit", new { id = dispute.Id });
    }

    private async Task<PageResult> RedisplayAsync(CancellationToken cancellationToken)
    {
        Options = await DisputeFormOptions.LoadAsync(db, cancellationToken);
        return Page();
    }
}
