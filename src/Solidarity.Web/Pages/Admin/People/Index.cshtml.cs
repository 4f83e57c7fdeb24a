using Microsoft.AspNetCore.Mvc.Rendering;

namespace Solidarity.Web.Pages.Admin.People;

/// <summary>
/// Who can sign in, as what, and how: invite admins, moderators and branch officers; resend or withdraw an
/// invitation; disable or enable an account; reset a second factor. Admins only.
/// </summary>
internal sealed class IndexModel(
    SolidarityDbContext db, Invitations invitations, PeopleAdministration people, SiteAddress site, TimeProvider time) : PageModel
{
    [BindProperty]
    public InviteInput Input { get; set; } = new();

    public IReadOnlyList<AccountRow> Accounts { get; private set; } = [];
    public IReadOnlyList<InvitationRow> OpenInvitations { get; private set; } = [];
    public IReadOnlyList<SelectListItem> Branches { get; private set; } = [];
    public DateTimeOffset Now { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    [TempData]
    public string? Problem { get; set; }

    public static readonly IReadOnlyList<SelectListItem> RoleChoices =
    [
        new("Admin: everything, money and people included", Roles.Admin),
        new("Moderator: messages of support and updates only", Roles.Moderator),
        new("Branch officer: one branch's money, statements and messages", Roles.BranchOfficer),
    ];

    internal sealed class InviteInput
    {
        [Required(ErrorMessage = "Enter the email address to invite.")]
        [DeliverableEmail(ErrorMessage = Invitations.NotAnAddressMessage)]
        [StringLength(DeliverableEmailAttribute.MaxLength, ErrorMessage = Invitations.NotAnAddressMessage)]
        public string Email { get; set; } = "";

        [StringLength(200, ErrorMessage = "Keep the name to 200 characters or fewer.")]
        public string? Name { get; set; }

        [Required(ErrorMessage = "Choose a role.")]
        public string Role { get; set; } = "";

        /// <summary>For a branch officer only.</summary>
        public Guid? BranchId { get; set; }
    }

    internal sealed record AccountRow(
        Guid Id, string Email, string? DisplayName, string? Role, string? Branch, bool HasSecondFactor, DateTimeOffset? LastSignInAt, bool Disabled);

    internal sealed record InvitationRow(Guid Id, string Email, string Role, string? Branch, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string InvitedBy);

    public static string RoleLabel(string? role) => role switch
    {
        Roles.Admin => "Admin",
        Roles.Moderator => "Moderator",
        Roles.BranchOfficer => "Branch officer",
        null => "No role",
        _ => role,
    };

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostInviteAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        var result = await invitations.IssueAsync(
            new InvitationRequest(Input.Email, Input.Role, Input.BranchId, Input.Name), Actor.Of(User), cancellationToken);
        if (result.Issued is null)
        {
            ModelState.AddModelError("", result.Refusal!);
            await LoadAsync(cancellationToken);
            return Page();
        }

        await SendAsync(result.Issued, "Invited", cancellationToken);
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostResendAsync(Guid id, CancellationToken cancellationToken)
    {
        var result = await invitations.ReissueAsync(id, Actor.Of(User), cancellationToken);
        if (result.Issued is null)
        {
            Problem = result.Refusal;
        }
        else
        {
            await SendAsync(result.Issued, "Sent a new invitation to", cancellationToken);
        }

        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await invitations.RevokeAsync(id, Actor.Of(User), cancellationToken))
        {
            Notice = "Invitation withdrawn: its link no longer works.";
        }
        else
        {
            Problem = "That invitation had been used or withdrawn already.";
        }

        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDisableAsync(Guid id, CancellationToken cancellationToken) =>
        Outcome(await people.DisableAsync(id, Actor.Of(User), cancellationToken), "Account disabled: it cannot sign in, and its open sessions end within a minute.");

    public async Task<IActionResult> OnPostEnableAsync(Guid id, CancellationToken cancellationToken) =>
        Outcome(await people.EnableAsync(id, Actor.Of(User), cancellationToken), "Account enabled: it can sign in again.");

    public async Task<IActionResult> OnPostResetSecondFactorAsync(Guid id, CancellationToken cancellationToken)
    {
        var outcome = await people.ResetSecondFactorAsync(id, Actor.Of(User), cancellationToken);
        if (outcome.Invitation is { } issued)
        {
            await SendAsync(issued, "Second factor reset. Sent an invitation to set up a new app to", cancellationToken);
            return RedirectToPage();
        }

        return Outcome(outcome, "");
    }

    private RedirectToPageResult Outcome(PeopleOutcome outcome, string done)
    {
        if (outcome.Refusal is null)
        {
            Notice = done;
        }
        else
        {
            Problem = outcome.Refusal;
        }

        return RedirectToPage();
    }

    private async Task SendAsync(IssuedInvitation issued, string what, CancellationToken cancellationToken)
    {
        var failure = await invitations.SendAsync(issued, site.BaseUrl(Request) + issued.Path, cancellationToken);
        if (failure is null)
        {
            Notice = $"{what} {issued.Email}: the link works once, for 48 hours.";
        }
        else
        {
            Problem = $"The invitation for {issued.Email} is made, but the email could not be sent ({failure}). Use Resend once mail works.";
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        var now = Now;
        Accounts = await db.Users.AsNoTracking()
            .OrderBy(u => u.Email)
            .Select(u => new AccountRow(
                u.Id,
                u.Email!,
                u.DisplayName,
                db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name).OrderBy(n => n).FirstOrDefault(),
                db.Branches.Where(b => b.Id == u.BranchId).Select(b => b.Code + " " + b.Name).FirstOrDefault(),
                u.TwoFactorEnabled || db.UserPasskeys.Any(p => p.UserId == u.Id),
                u.LastSignInAt,
                u.LockoutEnd != null && u.LockoutEnd > now))
            .ToListAsync(cancellationToken);
        OpenInvitations = await db.Invitations.AsNoTracking()
            .Where(i => i.AcceptedAt == null && i.RevokedAt == null)
            .OrderByDescending(i => i.CreatedAt)
            .Select(i => new InvitationRow(
                i.Id, i.Email, i.Role, db.Branches.Where(b => b.Id == i.BranchId).Select(b => b.Code + " " + b.Name).FirstOrDefault(),
                i.CreatedAt, i.ExpiresAt, i.InvitedByName))
            .ToListAsync(cancellationToken);
        Branches = await db.Branches.AsNoTracking()
            .OrderBy(b => b.Code)
            .Select(b => new SelectListItem(b.Code + " " + b.Name, b.Id.ToString()))
            .ToListAsync(cancellationToken);
    }
}
