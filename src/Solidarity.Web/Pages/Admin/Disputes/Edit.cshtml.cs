using Solidarity.Core.Disputes;

namespace Solidarity.Web.Pages.Admin.Disputes;

internal sealed class EditModel(
    SolidarityDbContext db, AuditTrail audit, PublicPageCache cache, TimeProvider time, MonthlyGiftScheduler monthlyGifts)
    : PageModel, IDisputeFormPage
{
    [BindProperty]
    public DisputeInput Input { get; set; } = new();

    public DisputeFormOptions Options { get; private set; } = default!;
    public Summary Current { get; private set; } = default!;

    /// <summary>The saved version, shown beside the form when a save was refused because someone else saved first.</summary>
    public IReadOnlyList<SavedField>? Stale { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    /// <summary>The dispute's published updates, newest first; they are written on the updates pages.</summary>
    public IReadOnlyList<(string Title, DateTimeOffset PublishedAt, string AuthorName)> Updates { get; private set; } = [];

    internal sealed record Summary(Guid Id, string Slug, string Title, bool IsPublished, DisputeStatus Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        var dispute = await LoadAsync(id, cancellationToken);
        if (dispute is null)
        {
            return NotFound();
        }

        Input = DisputeForm.ToInput(dispute);
        return await ShowAsync(dispute, cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        var dispute = await LoadAsync(id, cancellationToken);
        if (dispute is null)
        {
            return NotFound();
        }

        var (union, unionCreated) = await UnionChoice.ResolveAsync(db, Input.UnionId, Input.NewUnionName, ModelState, "Input", cancellationToken);
        var checkedInput = await DisputeForm.CheckAsync(Input, dispute, db, ModelState, cancellationToken);
        if (union is null || checkedInput is null || !ModelState.IsValid)
        {
            return await ShowAsync(dispute, cancellationToken);
        }

        if (Input.Version != dispute.Version)
        {
            return await RefuseStaleAsync(dispute, cancellationToken);
        }

        var (branchCodes, unionNames) = await DisputeSnapshot.NamesAsync(db, cancellationToken);
        unionNames[union.Id] = union.Name;
        var before = DisputeSnapshot.Of(dispute, branchCodes, unionNames);
        var statusBefore = dispute.Status;
        var slugBefore = dispute.Slug;
        var beneficiariesBefore = dispute.Beneficiaries.Select(b => b.BranchId).ToList();
        DisputeForm.Apply(Input, checkedInput, union.Id, dispute, db);
        var changes = DisputeSnapshot.Of(dispute, branchCodes, unionNames).ChangesSince(before);
        if (changes is null)
        {
            Notice = "Nothing had changed, so nothing was saved.";
            return RedirectToPage(new { id });
        }

        // Always touching the row means the version moves with every save, rows included, and the
        // version this form was filled from is checked by the database in the same statement.
        dispute.UpdatedAt = time.GetUtcNow();
        await DisputeForm.RetireSlugAsync(db, dispute, slugBefore, dispute.UpdatedAt, cancellationToken);
        db.Entry(dispute).Property(d => d.Version).OriginalValue = Input.Version;
        if (unionCreated)
        {
            audit.Record(User, AuditActions.UnionCreated, "Union", union.Id.ToString(), new { name = union.Name });
        }

        audit.Record(User, AuditActions.DisputeEdited, "Dispute", dispute.Id.ToString(), changes);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await LoadAsync(id, cancellationToken);
            return current is null ? NotFound() : await RefuseStaleAsync(current, cancellationToken);
        }
        catch (DbUpdateException exception) when (DisputeSnapshot.IsSlugTaken(exception) || exception.IsUniqueViolationOf("Unions"))
        {
            db.ChangeTracker.Clear();
            if (!UnionChoice.RefusedForName(exception, ModelState, "Input"))
            {
                ModelState.AddModelError("Input.Slug", DisputeForm.SlugTakenMessage);
            }

            var current = await LoadAsync(id, cancellationToken);
            return current is null ? NotFound() : await ShowAsync(current, cancellationToken);
        }

        await cache.EvictDisputeAsync(dispute.Id, cancellationToken);
        monthlyGifts.DisputeStatusChanged(dispute.Id, statusBefore, dispute.Status);
        var removed = beneficiariesBefore.Except(dispute.Beneficiaries.Select(b => b.BranchId)).ToList();
        Notice = "Saved." + await RemovedBranchesNoticeAsync(dispute.Id, removed, cancellationToken)
            + (statusBefore.IsActive() && !dispute.Status.IsActive()
                ? " The dispute has ended: its monthly gifts are being paused, and their givers emailed to move or end them."
                : "");
        return RedirectToPage(new { id });
    }

    public Task<IActionResult> OnPostPublishAsync(Guid id, CancellationToken cancellationToken) =>
        SetPublishedAsync(id, published: true, cancellationToken);

    public Task<IActionResult> OnPostUnpublishAsync(Guid id, CancellationToken cancellationToken) =>
        SetPublishedAsync(id, published: false, cancellationToken);

    private async Task<IActionResult> SetPublishedAsync(Guid id, bool published, CancellationToken cancellationToken)
    {
        var dispute = await db.Disputes.SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (dispute is null)
        {
            return NotFound();
        }

        if (dispute.IsPublished == published)
        {
            Notice = published ? "The dispute was already published." : "The dispute was already unpublished.";
            return RedirectToPage(new { id });
        }

        dispute.IsPublished = published;
        dispute.UpdatedAt = time.GetUtcNow();
        audit.Record(User, published ? AuditActions.DisputePublished : AuditActions.DisputeUnpublished, "Dispute", dispute.Id.ToString(),
            new { slug = dispute.Slug, isPublished = new { from = !published, to = published } });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            Notice = "Someone else changed this dispute at the same moment. Nothing was changed: check it and try again.";
            return RedirectToPage(new { id });
        }

        await cache.EvictDisputeAsync(dispute.Id, cancellationToken);
        Notice = published
            ? $"Published: the dispute is on the public site at /disputes/{dispute.Slug}."
            : "Unpublished: the dispute is no longer on the public site.";
        return RedirectToPage(new { id });
    }

    /// <summary>
    /// What the admin should know when a branch monthly givers chose stops being a beneficiary: from the next payment their
    /// gifts are shared across the dispute's branches (as their own page now says). Empty when no running gift chose one.
    /// </summary>
    private async Task<string> RemovedBranchesNoticeAsync(Guid disputeId, List<Guid> removed, CancellationToken cancellationToken)
    {
        if (removed.Count == 0)
        {
            return "";
        }

        var chosen = await db.MonthlyGifts.AsNoTracking()
            .Where(g => g.DisputeId == disputeId && g.ChosenBranchId != null && removed.Contains(g.ChosenBranchId.Value)
                && (g.Status == MonthlyGiftStatus.Active || g.Status == MonthlyGiftStatus.Paused))
            .CountAsync(cancellationToken);
        return chosen switch
        {
            0 => "",
            1 => " One monthly gift gave to a branch that is no longer a beneficiary: from its next payment it is shared across the dispute's branches.",
            _ => $" {chosen} monthly gifts gave to a branch that is no longer a beneficiary: from their next payments they are shared across the dispute's branches.",
        };
    }

    private async Task<IActionResult> RefuseStaleAsync(Dispute current, CancellationToken cancellationToken)
    {
        var (branchCodes, unionNames) = await DisputeSnapshot.NamesAsync(db, cancellationToken);
        Stale = SavedVersion.Of(current, Input, branchCodes, unionNames);
        ModelState.AddModelError("", DisputeForm.StaleMessage);

        // The form keeps what this person typed; the version moves on, so saving again is a deliberate overwrite.
        ModelState.Remove("Input.Version");
        Input.Version = current.Version;
        return await ShowAsync(current, cancellationToken);
    }

    private Task<Dispute?> LoadAsync(Guid id, CancellationToken cancellationToken) =>
        db.Disputes
            .Include(d => d.Workplaces)
            .Include(d => d.Beneficiaries)
            .Include(d => d.Actions)
            .AsSplitQuery()
            .SingleOrDefaultAsync(d => d.Id == id, cancellationToken);

    private async Task<IActionResult> ShowAsync(Dispute dispute, CancellationToken cancellationToken)
    {
        Current = new Summary(dispute.Id, dispute.Slug, dispute.Title, dispute.IsPublished, dispute.Status, dispute.CreatedAt, dispute.UpdatedAt);
        Updates = (await db.DisputeUpdates.AsNoTracking()
                .Where(u => u.DisputeId == dispute.Id)
                .OrderByDescending(u => u.PublishedAt ?? u.ScheduledFor ?? u.CreatedAt)
                .Select(u => new { u.Title, PublishedAt = u.PublishedAt ?? u.ScheduledFor ?? u.CreatedAt, u.AuthorName })
                .ToListAsync(cancellationToken))
            .Select(u => (u.Title, u.PublishedAt, u.AuthorName)).ToList();
        Options = await DisputeFormOptions.LoadAsync(db, cancellationToken);
        return Page();
    }
}
