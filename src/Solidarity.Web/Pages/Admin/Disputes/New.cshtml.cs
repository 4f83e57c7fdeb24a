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
        Input.EntryId = Guid.CreateVersion7();
        Options = await DisputeFormOptions.LoadAsync(db, cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await AlreadyCreatedAsync(cancellationToken) is { } created)
        {
            return created;
        }

        var (union, unionCreated) = await UnionChoice.ResolveAsync(db, Input.UnionId, Input.NewUnionName, ModelState, "Input", cancellationToken);
        var checkedInput = await DisputeForm.CheckAsync(Input, existing: null, db, ModelState, cancellationToken);
        if (union is null || checkedInput is null || !ModelState.IsValid)
        {
            // The same form sent twice at once: the other request may have created the dispute since the first look,
            // and then its address counts as taken here.
            return await AlreadyCreatedAsync(cancellationToken) ?? await RedisplayAsync(cancellationToken);
        }

        var now = time.GetUtcNow();
        var dispute = new Dispute
        {
            Id = Input.EntryId ?? Guid.CreateVersion7(), Slug = Input.Slug, Title = Input.Title, Employer = Input.Employer, Summary = Input.Summary, Body = Input.Body,
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
        catch (DbUpdateException exception) when (exception.IsUniqueViolation())
        {
            // The same form sent twice at once: the other request created it. Otherwise another dispute took the address.
            db.ChangeTracker.Clear();
            if (await AlreadyCreatedAsync(cancellationToken) is { } byTheOther)
            {
                return byTheOther;
            }

            if (UnionChoice.RefusedForName(exception, ModelState, "Input"))
            {
                return await RedisplayAsync(cancellationToken);
            }

            if (!DisputeSnapshot.IsSlugTaken(exception))
            {
                throw;
            }

            ModelState.AddModelError("Input.Slug", DisputeForm.SlugTakenMessage);
            return await RedisplayAsync(cancellationToken);
        }

        TempData["Notice"] = "Dispute created. It is not on the public site until you publish it.";
        return RedirectToPage("/Admin/Disputes/Edit", new { id = dispute.Id });
    }

    /// <summary>The dispute this form already created (sent twice), to go to; null when it created none yet.</summary>
    private async Task<IActionResult?> AlreadyCreatedAsync(CancellationToken cancellationToken)
    {
        if (Input.EntryId is not { } id || !await db.Disputes.AnyAsync(d => d.Id == id, cancellationToken))
        {
            return null;
        }

        TempData["Notice"] = "That dispute was already created: here it is. It is not on the public site until you publish it.";
        return RedirectToPage("/Admin/Disputes/Edit", new { id });
    }

    private async Task<PageResult> RedisplayAsync(CancellationToken cancellationToken)
    {
        Options = await DisputeFormOptions.LoadAsync(db, cancellationToken);
        return Page();
    }
}
