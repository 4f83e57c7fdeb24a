using Microsoft.AspNetCore.Mvc.Rendering;
using Solidarity.Core.Disputes;
using Solidarity.Web.Infrastructure.Forms;
using Solidarity.Web.Infrastructure.Html;

namespace Solidarity.Web.Pages.Admin.Updates;

/// <summary>
/// Writes a new update or edits one: preview, save as a draft, publish now, or schedule for a London time.
/// Every change to a saved update's title or text keeps the previous version as a revision. Publishing can
/// change the dispute's status in the same transaction, so the news and the status never disagree.
/// </summary>
internal sealed class WriteModel(
    SolidarityDbContext db, AuditTrail audit, SafeMarkdown markdown, PublicPageCache cache, TimeProvider time, UserManager<ApplicationUser> userManager,
    MonthlyGiftScheduler monthlyGifts)
    : PageModel
{
    public const string DefaultAuthorName = "The organisers";
    public const string ScheduleFormat = "yyyy-MM-dd'T'HH:mm";

    public const string StaleMessage =
        "This update was changed while you were editing it (by someone else, or published on schedule). Nothing was saved: your text is below; check the saved version and save again.";

    [BindProperty]
    public UpdateInput Input { get; set; } = new();

    public UpdatesHeading Dispute { get; private set; } = default!;
    public Saved? Existing { get; private set; }

    /// <summary>The rendered, sanitised text, when the preview button was pressed.</summary>
    public string? PreviewHtml { get; private set; }

    public IReadOnlyList<SelectListItem> StatusChoices { get; private set; } = [];

    internal sealed record Saved(Guid Id, UpdateStatus Status, DateTimeOffset? PublishedAt, DateTimeOffset? ScheduledFor, string Title, string Body);

    internal sealed class UpdateInput
    {
        [Required(ErrorMessage = "Give the update a title.")]
        [StringLength(200, ErrorMessage = "Keep the title to 200 characters or fewer.")]
        public string Title { get; set; } = "";

        [Required(ErrorMessage = "Write the update.")]
        [StringLength(20_000, ErrorMessage = "Keep the update to 20,000 characters or fewer.")]
        public string Body { get; set; } = "";

        /// <summary>London wall-clock time, as a datetime-local field sends it: "2017-05-26T15:00".</summary>
        public string? ScheduleFor { get; set; }

        /// <summary>A new status for the dispute, announced by this update when it is published.</summary>
        public DisputeStatus? NewStatus { get; set; }

        /// <summary>The version of the saved update this form was filled from.</summary>
        public uint? Version { get; set; }

        /// <summary>
        /// For a new update: the id it will have, chosen when the form is shown, so that a double click or a form sent
        /// again saves it once.
        /// </summary>
        public Guid? EntryId { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(Guid disputeId, Guid? id, CancellationToken cancellationToken)
    {
        var update = id is null ? null : await FindAsync(disputeId, id.Value, cancellationToken);
        if (!await LoadHeadingAsync(disputeId, cancellationToken) || (id is not null && update is null))
        {
            return NotFound();
        }

        if (update is not null)
        {
            Input = new UpdateInput
            {
                Title = update.Title,
                Body = update.Body,
                ScheduleFor = update.ScheduledFor is { } due ? LondonClock.ToLondon(due).ToString(ScheduleFormat, CultureInfo.InvariantCulture) : null,
                Version = update.Version,
            };
        }

        else
        {
            Input.EntryId = Guid.CreateVersion7();
        }

        Existing = Snapshot(update);
        return Page();
    }

    public async Task<IActionResult> OnPostPreviewAsync(Guid disputeId, Guid? id, CancellationToken cancellationToken)
    {
        var update = id is null ? null : await FindAsync(disputeId, id.Value, cancellationToken);
        if (!await LoadHeadingAsync(disputeId, cancellationToken) || (id is not null && update is null))
        {
            return NotFound();
        }

        Existing = Snapshot(update);
        PreviewHtml = markdown.ToHtml(Input.Body);
        return Page();
    }

    public Task<IActionResult> OnPostDraftAsync(Guid disputeId, Guid? id, CancellationToken cancellationToken) =>
        SaveAsync(disputeId, id, UpdateStatus.Draft, cancellationToken);

    public Task<IActionResult> OnPostScheduleAsync(Guid disputeId, Guid? id, CancellationToken cancellationToken) =>
        SaveAsync(disputeId, id, UpdateStatus.Scheduled, cancellationToken);

    public Task<IActionResult> OnPostPublishAsync(Guid disputeId, Guid? id, CancellationToken cancellationToken) =>
        SaveAsync(disputeId, id, UpdateStatus.Published, cancellationToken);

    private async Task<IActionResult> SaveAsync(Guid disputeId, Guid? id, UpdateStatus target, CancellationToken cancellationToken)
    {
        var dispute = await db.Disputes.SingleOrDefaultAsync(d => d.Id == disputeId, cancellationToken);
        var update = id is null ? null : await db.DisputeUpdates.SingleOrDefaultAsync(u => u.Id == id && u.DisputeId == disputeId, cancellationToken);
        if (dispute is null || (id is not null && update is null))
        {
            return NotFound();
        }

        TypedText.CheckLine(Input.Title, ModelState, "Input.Title");
        TypedText.CheckText(Input.Body, ModelState, "Input.Body");
        if (update is null && Input.EntryId is { } entryId && await db.DisputeUpdates.AnyAsync(u => u.Id == entryId, cancellationToken))
        {
            return AlreadySaved(disputeId);
        }

        var now = time.GetUtcNow();
        var scheduledFor = target == UpdateStatus.Scheduled ? CheckSchedule(now) : null;
        CheckStatusChange(dispute, target);
        if (update is { Status: UpdateStatus.Published } && target != UpdateStatus.Published)
        {
            ModelState.AddModelError("", "This update is already public: it can be corrected, not taken back to a draft or a schedule.");
        }

        if (!ModelState.IsValid)
        {
            return await ShowAgainAsync(disputeId, update, cancellationToken);
        }

        var title = Input.Title.Trim();
        var body = Input.Body.Trim();
        if (update is null)
        {
            var user = await userManager.GetUserAsync(User);
            update = new DisputeUpdate
            {
                Id = Input.EntryId ?? Guid.CreateVersion7(),
                DisputeId = dispute.Id,
                Title = title,
                Body = body,
                AuthorName = string.IsNullOrWhiteSpace(user?.DisplayName) ? DefaultAuthorName : user.DisplayName,
                CreatedAt = now,
            };
            db.DisputeUpdates.Add(update);
        }
        else
        {
            db.Entry(update).Property(u => u.Version).OriginalValue = Input.Version ?? 0;
            if (update.Title != title || update.Body != body)
            {
                db.DisputeUpdateRevisions.Add(new DisputeUpdateRevision
                {
                    UpdateId = update.Id,
                    PreviousTitle = update.Title,
                    PreviousBody = update.Body,
                    EditedAt = now,
                    EditedByUserId = Guid.TryParse(userManager.GetUserId(User), out var editor) ? editor : null,
                    EditedByName = User.Identity?.Name ?? "unknown",
                });
                audit.Record(User, AuditActions.UpdateEdited, "DisputeUpdate", update.Id.ToString(),
                    new { title = new { from = update.Title, to = title }, bodyChanged = update.Body != body });
                update.Title = title;
                update.Body = body;
                update.EditedAt = now;
            }
        }

        var wasPublished = update.Status == UpdateStatus.Published && db.Entry(update).State != EntityState.Added;
        update.Status = target;
        update.ScheduledFor = target == UpdateStatus.Scheduled ? scheduledFor : null;
        update.PublishedAt = target == UpdateStatus.Published ? (wasPublished ? update.PublishedAt : now) : null;
        if (!wasPublished)
        {
            audit.Record(User, target switch
            {
                UpdateStatus.Published => AuditActions.UpdatePublished,
                UpdateStatus.Scheduled => AuditActions.UpdateScheduled,
                _ => AuditActions.UpdateDrafted,
            }, "DisputeUpdate", update.Id.ToString(), new { disputeId = dispute.Id, title, scheduledFor });
        }

        var statusBefore = dispute.Status;
        if (Input.NewStatus is DisputeStatus newStatus)
        {
            audit.Record(User, AuditActions.DisputeStatusChanged, "Dispute", dispute.Id.ToString(),
                new { status = new { from = dispute.Status.ToString(), to = newStatus.ToString() }, updateId = update.Id });
            dispute.Status = newStatus;
            dispute.UpdatedAt = now;
            update.AnnouncesStatus = newStatus;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError("", StaleMessage);
            var current = id is null ? null : await FindAsync(disputeId, id.Value, cancellationToken);
            if (current is not null)
            {
                ModelState.Remove("Input.Version");
                Input.Version = current.Version;
            }

            return await ShowAgainAsync(disputeId, current, cancellationToken);
        }
        catch (DbUpdateException e) when (id is null && e.IsUniqueViolation())
        {
            // The same form, sent twice at once: the other request saved it.
            db.ChangeTracker.Clear();
            return AlreadySaved(disputeId);
        }

        await cache.EvictDisputeAsync(dispute.Id, cancellationToken);
        monthlyGifts.DisputeStatusChanged(dispute.Id, statusBefore, dispute.Status);
        TempData["Notice"] = target switch
        {
            UpdateStatus.Published when wasPublished => $"Saved: “{title}” is corrected on the public page.",
            UpdateStatus.Published => $"Published: “{title}” is on the dispute's page and in its feed"
                + (Input.NewStatus is DisputeStatus s ? $", and the dispute is now “{s.Label()}”." : "."),
            UpdateStatus.Scheduled => $"Scheduled: “{title}” will be published at {LondonClock.DateTime(scheduledFor!.Value)} (UK time).",
            _ => $"Saved as a draft: “{title}” is not public.",
        };
        return RedirectToPage("/Admin/Updates/Index", new { disputeId });
    }

    private RedirectToPageResult AlreadySaved(Guid disputeId)
    {
        TempData["Notice"] = "That update was already saved: nothing was added.";
        return RedirectToPage("/Admin/Updates/Index", new { disputeId });
    }

    private DateTimeOffset? CheckSchedule(DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(Input.ScheduleFor)
            || !DateTime.TryParseExact(Input.ScheduleFor.Trim(), [ScheduleFormat, "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var wallClock))
        {
            ModelState.AddModelError("Input.ScheduleFor", "Give the date and time to publish it, UK time, like 2026-05-26 15:00.");
            return null;
        }

        if (LondonClock.IsSkipped(wallClock))
        {
            ModelState.AddModelError("Input.ScheduleFor", LondonClock.SkippedTimeMessage);
            return null;
        }

        var due = LondonClock.FromLondon(wallClock);
        if (due <= now)
        {
            ModelState.AddModelError("Input.ScheduleFor", "Choose a time in the future, or publish it now.");
            return null;
        }

        return due;
    }

    private void CheckStatusChange(Dispute dispute, UpdateStatus target)
    {
        if (Input.NewStatus is not DisputeStatus newStatus)
        {
            return;
        }

        if (!Enum.IsDefined(newStatus))
        {
            ModelState.AddModelError("Input.NewStatus", "Choose a status from the list.");
        }
        else if (newStatus == dispute.Status)
        {
            ModelState.AddModelError("Input.NewStatus", $"The dispute is already “{newStatus.Label()}”.");
        }
        else if (target != UpdateStatus.Published)
        {
            ModelState.AddModelError("Input.NewStatus", "A change of status is announced as it happens: choose Publish now, or leave the status as it is.");
        }
        else if (newStatus.IsActive() != dispute.Status.IsActive() && !User.IsInRole(Roles.Admin))
        {
            // Moderators handle no money: ending a dispute pauses every monthly gift to it.
            ModelState.AddModelError("Input.NewStatus", EndsGiftsMessage);
        }
    }

    public const string EndsGiftsMessage =
        "Only an admin can end the dispute or reopen it: ending it pauses every monthly gift to it, and reopening it resumes them. Publish the news, and ask an admin to change the status.";

    private async Task<IActionResult> ShowAgainAsync(Guid disputeId, DisputeUpdate? update, CancellationToken cancellationToken)
    {
        if (!await LoadHeadingAsync(disputeId, cancellationToken))
        {
            return NotFound();
        }

        Existing = Snapshot(update);
        return Page();
    }

    private Task<DisputeUpdate?> FindAsync(Guid disputeId, Guid id, CancellationToken cancellationToken) =>
        db.DisputeUpdates.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id && u.DisputeId == disputeId, cancellationToken);

    private static Saved? Snapshot(DisputeUpdate? update) =>
        update is null ? null : new Saved(update.Id, update.Status, update.PublishedAt, update.ScheduledFor, update.Title, update.Body);

    private async Task<bool> LoadHeadingAsync(Guid disputeId, CancellationToken cancellationToken)
    {
        var heading = await UpdatesHeading.FindAsync(db, disputeId, cancellationToken);
        if (heading is null)
        {
            return false;
        }

        Dispute = heading;
        StatusChoices =
        [
            new SelectListItem($"Keep it as it is ({heading.Status.Label()})", ""),
            .. Enum.GetValues<DisputeStatus>().Where(s => s != heading.Status).Select(s => new SelectListItem(s.Label(), s.ToString())),
        ];
        return true;
    }
}
