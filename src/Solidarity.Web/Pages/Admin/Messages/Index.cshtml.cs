namespace Solidarity.Web.Pages.Admin.Messages;

/// <summary>The moderation queue: pending messages, oldest first, decided one by one or in bulk.</summary>
internal sealed class IndexModel(SolidarityDbContext db, MessageModeration moderation) : PageModel
{
    public const int PageSize = 50;

    [BindProperty]
    public ModerationInput Input { get; set; } = new();

    public IReadOnlyList<QueuedMessage> Queue { get; private set; } = [];
    public int PendingCount { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    internal sealed class ModerationInput
    {
        public List<Guid> Selected { get; set; } = [];

        /// <summary>Set by a message's own Approve or Reject button; otherwise the ticked messages are decided.</summary>
        public Guid? Only { get; set; }

        [StringLength(SupportMessage.MaxRejectionReasonLength, ErrorMessage = "Keep the reason to 500 characters or fewer.")]
        public string? Reason { get; set; }
    }

    internal sealed record QueuedMessage(
        Guid Id, string DisputeTitle, string DisputeSlug, string? AuthorName, string? OrganisationName, string? Town, string Body,
        DateTimeOffset CreatedAt, bool WithDonation);

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostApproveAsync(CancellationToken cancellationToken) =>
        DecideAsync(ModerationStatus.Approved, cancellationToken);

    public Task<IActionResult> OnPostRejectAsync(CancellationToken cancellationToken) =>
        DecideAsync(ModerationStatus.Rejected, cancellationToken);

    private async Task<IActionResult> DecideAsync(ModerationStatus decision, CancellationToken cancellationToken)
    {
        List<Guid> ids = Input.Only is Guid only ? [only] : Input.Selected;
        if (ids.Count == 0)
        {
            ModelState.AddModelError("", "Tick the messages to approve or reject first.");
        }

        if (decision == ModerationStatus.Rejected && string.IsNullOrWhiteSpace(Input.Reason))
        {
            ModelState.AddModelError("Input.Reason", "Give a reason for rejecting: it is kept for the moderators, never shown to the author.");
        }

        // Enter in the reason box presses the form's first button, which approves: a moderator who typed a reason meant to
        // reject, and an approval cannot be taken back. So approving with a reason typed does nothing and says why.
        if (decision == ModerationStatus.Approved && !string.IsNullOrWhiteSpace(Input.Reason))
        {
            ModelState.AddModelError(
                "Input.Reason", "You typed a reason for rejecting, so nothing was approved: to reject, press Reject ticked; to approve, clear the reason.");
        }

        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        var changed = await moderation.DecideAsync(User, ids, decision, Input.Reason, cancellationToken);
        var verb = decision == ModerationStatus.Approved ? "Approved" : "Rejected";
        var skipped = ids.Distinct().Count() - changed.Count;
        Notice = $"{verb} {Count(changed.Count)}."
            + (skipped > 0 ? $" {Count(skipped)} had already been moderated, so {(skipped == 1 ? "it was" : "they were")} left as decided." : "");
        return RedirectToPage();
    }

    private static string Count(int n) => n == 1 ? "1 message" : $"{n} messages";

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var pending = ModerationQueue.Waiting(db);
        PendingCount = await pending.CountAsync(cancellationToken);
        Queue = await pending
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
            .Take(PageSize)
            .Join(db.Disputes, m => m.DisputeId, d => d.Id, (m, d) => new QueuedMessage(
                m.Id, d.Title, d.Slug, m.AuthorName, m.OrganisationName, m.Town, m.Body, m.CreatedAt, m.DonationId != null))
            .ToListAsync(cancellationToken);
    }
}
