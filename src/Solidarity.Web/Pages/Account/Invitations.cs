using MimeKit;
using Solidarity.Web.Infrastructure.Tokens;

namespace Solidarity.Web.Pages.Account;

/// <summary>Who made a change: a signed-in person, or a command run on the server.</summary>
internal sealed record Actor(Guid? UserId, string Name)
{
    public static readonly Actor CommandLine = new(null, AuditTrail.CommandLineActor);

    /// <summary>The site itself, as the demo seed at start-up.</summary>
    public static readonly Actor Site = new(null, AuditTrail.SiteActor);

    public static Actor Of(ClaimsPrincipal principal) => new(BranchOfficers.UserId(principal), BranchOfficers.UserName(principal));
}

internal sealed record InvitationRequest(string Email, string Role, Guid? BranchId = null, string? DisplayName = null);

/// <summary>A new invitation and its link's path; the token in it exists nowhere else, so this is the one chance to send it.</summary>
internal sealed record IssuedInvitation(Guid Id, string Email, string Role, string? BranchName, string Path, DateTimeOffset ExpiresAt);

/// <summary>Either an invitation, or why none was made (in words for the person asking).</summary>
internal sealed record InvitationResult(IssuedInvitation? Issued, string? Refusal)
{
    public static InvitationResult Refused(string why) => new(null, why);
}

/// <summary>What the invitation page shows while the link works.</summary>
internal sealed record InvitationView(string Email, string Role, string? BranchName, bool NeedsAuthenticator, string? AuthenticatorKey, DateTimeOffset ExpiresAt);

internal abstract record Acceptance
{
    /// <summary>The link is unknown, used, withdrawn or out of date (or its account disabled): nothing is said about which.</summary>
    internal sealed record Gone : Acceptance;

    /// <summary>Nothing was saved; the errors say what to change, keyed by field ("" for the form).</summary>
    internal sealed record Refused(IReadOnlyList<KeyValuePair<string, string>> Errors) : Acceptance;

    internal sealed record Accepted(ApplicationUser User, string Role, string[] RecoveryCodes) : Acceptance;
}

/// <summary>
/// A passkey made on the invitation page, checked already, and whom it was made for: the account of the address, or
/// the id the account accepting will create is to have.
/// </summary>
internal sealed record NewPasskey(UserPasskeyInfo Passkey, PasskeyUserEntity Owner);

/// <summary>
/// Invitations: the only way an account comes to exist, and the only way an admin or moderator enrols a second factor
/// (there is no trust on first use: a password alone never leads to enrolment). An invitation names an address and a
/// role; its link works once, for <see cref="Lifetime"/>, and a newer invitation for the same address withdraws it.
/// Accepting chooses a password, for admins and moderators enrols an authenticator app or a passkey in the same step,
/// and creates the account or, where the address has one already (after a reset of its second factor), updates it.
/// </summary>
internal sealed class Invitations(
    SolidarityDbContext db,
    UserManager<ApplicationUser> users,
    IUserStore<ApplicationUser> userStore,
    SecondFactorSecrets secrets,
    RoleManager<IdentityRole<Guid>> roles,
    AuditTrail audit,
    IEmailSender sender,
    IOptions<SmtpSettings> smtp,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<Invitations> logger)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(48);

    public const string PathPrefix = "/account/invitation/";

    public const string CodeMismatch =
        "That code did not match. Check that the app was set up with the key shown here, and enter its newest code.";

    public const string PasskeyMismatch =
        "That passkey was made for another invitation or account. Reload the page and add the passkey again, or set up the authenticator app instead.";

    public const string NotAnAddressMessage = "Enter an email address like name@example.org.";

    /// <summary>As long as an account's name may be.</summary>
    public const int MaxNameLength = 200;

    public const string NameMessage = "Give the name as one line of ordinary characters, 200 at most.";

    public const string LastAdminMessage =
        "You are now the site's only active admin, so this invitation to another role cannot be accepted: the site would " +
        "have no admin left. Nothing was changed. Once another admin has joined, this link works again until it expires.";

    public async Task<InvitationResult> IssueAsync(InvitationRequest request, Actor actor, CancellationToken cancellationToken)
    {
        var email = request.Email.Trim();
        if (!DeliverableEmailAttribute.IsDeliverable(email))
        {
            return InvitationResult.Refused(NotAnAddressMessage);
        }

        if (!Roles.All.Contains(request.Role))
        {
            return InvitationResult.Refused("Choose a role: admin, moderator or branch officer.");
        }

        // The People form and create-admin both come here: the name is kept on the account and shown on the People page.
        var displayName = TypedText.TrimToNull(request.DisplayName);
        if (displayName is not null && (displayName.Length > MaxNameLength || displayName.Contains('\n', StringComparison.Ordinal) || TypedText.HasUnprintable(displayName)))
        {
            return InvitationResult.Refused(NameMessage);
        }

        var branchId = request.Role == Roles.BranchOfficer ? request.BranchId : null;
        string? branchName = null;
        if (request.Role == Roles.BranchOfficer)
        {
            branchName = branchId is null ? null : await db.Branches.Where(b => b.Id == branchId).Select(b => b.Name).SingleOrDefaultAsync(cancellationToken);
            if (branchName is null)
            {
                return InvitationResult.Refused("Choose the branch the officer acts for.");
            }
        }

        await EnsureRoleAsync(request.Role);
        var normalized = users.NormalizeEmail(email);
        var now = time.GetUtcNow();

        // Inside a caller's transaction (a reset of the second factor) the invitation commits or rolls back with it.
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        await AccountStates.LockAdminsAsync(db, cancellationToken);
        var existing = await users.FindByEmailAsync(email);
        if (existing is not null && AccountStates.IsDisabled(existing, now))
        {
            return InvitationResult.Refused($"The account of {email} is disabled: enable it first, then invite it again.");
        }

        if (existing is not null && request.Role != Roles.Admin && await AccountStates.IsLastActiveAdminAsync(db, existing.Id, now, cancellationToken))
        {
            return InvitationResult.Refused($"{email} is the last active admin: invite another admin before giving this account another role.");
        }

        // Withdrawn and saved before the new one is added, so the index allowing one open invitation per address never
        // sees two.
        var reissued = await WithdrawOpenAsync(normalized, now, cancellationToken) > 0;
        var (token, hash) = LinkTokens.Create();
        var invitation = new Invitation
        {
            Email = email,
            NormalizedEmail = normalized,
            DisplayName = displayName,
            Role = request.Role,
            BranchId = branchId,
            TokenHash = hash,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
            InvitedByUserId = actor.UserId,
            InvitedByName = actor.Name,
        };
        db.Invitations.Add(invitation);
        audit.RecordAs(actor.UserId, actor.Name, AuditActions.InvitationIssued, nameof(Invitation), invitation.Id.ToString(),
            new { email, role = request.Role, branchId, reissued, expiresAt = invitation.ExpiresAt });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return InvitationResult.Refused($"Someone else invited {email} at the same moment: look at the invitations below and resend if needed.");
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return new InvitationResult(new IssuedInvitation(invitation.Id, email, request.Role, branchName, PathPrefix + token, invitation.ExpiresAt), null);
    }

    /// <summary>A new link for an invitation not yet used (withdrawn or out of date ones too), withdrawing the old one.</summary>
    public async Task<InvitationResult> ReissueAsync(Guid invitationId, Actor actor, CancellationToken cancellationToken)
    {
        var old = await db.Invitations.AsNoTracking().Where(i => i.Id == invitationId && i.AcceptedAt == null).SingleOrDefaultAsync(cancellationToken);
        return old is null
            ? InvitationResult.Refused("That invitation has been used already.")
            : await IssueAsync(new InvitationRequest(old.Email, old.Role, old.BranchId, old.DisplayName), actor, cancellationToken);
    }

    public async Task<bool> RevokeAsync(Guid invitationId, Actor actor, CancellationToken cancellationToken)
    {
        var invitation = await db.Invitations.Where(i => i.Id == invitationId && i.AcceptedAt == null && i.RevokedAt == null).SingleOrDefaultAsync(cancellationToken);
        if (invitation is null)
        {
            return false;
        }

        invitation.RevokedAt = time.GetUtcNow();
        invitation.AuthenticatorKey = null;
        audit.RecordAs(actor.UserId, actor.Name, AuditActions.InvitationRevoked, nameof(Invitation), invitation.Id.ToString(), new { invitation.Email, invitation.Role });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Withdraws every invitation still open for the address; the caller saves, in its own transaction.</summary>
    public async Task<int> WithdrawOpenAsync(string normalizedEmail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var open = await db.Invitations.Where(i => i.NormalizedEmail == normalizedEmail && i.AcceptedAt == null && i.RevokedAt == null).ToListAsync(cancellationToken);
        foreach (var invitation in open)
        {
            invitation.RevokedAt = now;
            invitation.AuthenticatorKey = null;
        }

        await db.SaveChangesAsync(cancellationToken);
        return open.Count;
    }

    /// <summary>
    /// Emails the link. Sent at once rather than by a job: the token exists only in this link, and a job's arguments
    /// are stored in the database, which must never hold a working link. Answers why it failed, or null.
    /// </summary>
    public async Task<string?> SendAsync(IssuedInvitation issued, string link, CancellationToken cancellationToken)
    {
        try
        {
            await sender.SendAsync(Compose(issued, link), cancellationToken);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "The invitation email to {Email} could not be sent", issued.Email);
            return e.Message;
        }
    }

    /// <summary>The page's view of an open invitation, making its authenticator key at the first look; null when the link does not work.</summary>
    public async Task<InvitationView?> ViewAsync(string token, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!LinkTokens.TryHash(token, out var hash))
        {
            return null;
        }

        var invitation = await db.Invitations.AsNoTracking().Where(i => i.TokenHash == hash).SingleOrDefaultAsync(cancellationToken);
        if (invitation is null || !invitation.IsOpenAt(now) || await IsDisabledAsync(invitation.NormalizedEmail, now, cancellationToken))
        {
            return null;
        }

        var needsAuthenticator = Roles.NeedsSecondFactor(invitation.Role);
        if (needsAuthenticator && invitation.AuthenticatorKey is null)
        {
            // Only where none is set yet, and read back: two first looks at once both show the key that was kept.
            var key = secrets.Protect(users.GenerateNewAuthenticatorKey());
            await db.Invitations.Where(i => i.Id == invitation.Id && i.AuthenticatorKey == null)
                .ExecuteUpdateAsync(i => i.SetProperty(x => x.AuthenticatorKey, key), cancellationToken);
            invitation.AuthenticatorKey = await db.Invitations.Where(i => i.Id == invitation.Id).Select(i => i.AuthenticatorKey).SingleAsync(cancellationToken);
        }

        var branchName = invitation.BranchId is null ? null : await db.Branches.Where(b => b.Id == invitation.BranchId).Select(b => b.Name).SingleAsync(cancellationToken);
        return new InvitationView(invitation.Email, invitation.Role, branchName, needsAuthenticator, secrets.UnprotectOrNull(invitation.AuthenticatorKey), invitation.ExpiresAt);
    }

    /// <summary>Why the password would be refused for the account of <paramref name="email"/> (too short, too plain), keyed by field.</summary>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> PasswordErrorsAsync(string email, string password) =>
        await PasswordErrorsAsync(await users.FindByEmailAsync(email) ?? new ApplicationUser { UserName = email, Email = email }, password);

    /// <summary>
    /// Whom a passkey made on the invitation page is for: the account of the address where there is one, else the
    /// account that accepting will create, whose id is chosen now and comes back, checked, with the passkey.
    /// </summary>
    public async Task<PasskeyUserEntity> PasskeyOwnerAsync(string email)
    {
        var user = await users.FindByEmailAsync(email);
        return new PasskeyUserEntity
        {
            Id = (user?.Id ?? Guid.NewGuid()).ToString(),
            Name = email,
            DisplayName = user?.DisplayName ?? email,
        };
    }

    /// <summary>
    /// Uses the invitation: all of it (password, authenticator, role, branch, the link used up) in one transaction, or
    /// nothing, so a wrong code leaves the link working and the account as it was.
    /// </summary>
    public Task<Acceptance> AcceptAsync(string token, string password, string? code, CancellationToken cancellationToken) =>
        AcceptAsync(token, password, code, null, cancellationToken);

    /// <summary>As with an app's code, with a passkey made on the invitation page as the second factor instead.</summary>
    public Task<Acceptance> AcceptAsync(string token, string password, NewPasskey passkey, CancellationToken cancellationToken) =>
        AcceptAsync(token, password, null, passkey, cancellationToken);

    private async Task<Acceptance> AcceptAsync(string token, string password, string? code, NewPasskey? passkey, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!LinkTokens.TryHash(token, out var hash))
        {
            return new Acceptance.Gone();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // Taken before the invitation's row, in the order issuing takes them (the admins, then the address's invitations),
        // so that the last-admin rule below is checked with no admin changing meanwhile, and no deadlock with a new link.
        await AccountStates.LockAdminsAsync(db, cancellationToken);

        // Claimed next: the row stays locked to this transaction, so the same link opened twice at once is used once.
        var claimed = await db.Invitations
            .Where(i => i.TokenHash == hash && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .ExecuteUpdateAsync(i => i.SetProperty(x => x.AcceptedAt, now), cancellationToken);
        if (claimed == 0)
        {
            return new Acceptance.Gone();
        }

        var invitation = await db.Invitations.AsNoTracking().SingleAsync(i => i.TokenHash == hash, cancellationToken);
        var needsAuthenticator = Roles.NeedsSecondFactor(invitation.Role);
        var user = await users.FindByEmailAsync(invitation.Email);
        if (user is not null && AccountStates.IsDisabled(user, now))
        {
            return new Acceptance.Gone();
        }

        // Checked again as the role changes: two admins who invited each other to another role, each while the other was
        // still an admin, would otherwise leave the site with none.
        if (user is not null && invitation.Role != Roles.Admin && await AccountStates.IsLastActiveAdminAsync(db, user.Id, now, cancellationToken))
        {
            return Refuse([new("", LastAdminMessage)]);
        }

        if (passkey is not null && !await FitsAsync(passkey.Owner, invitation, user))
        {
            return Refuse([new("", PasskeyMismatch)]);
        }

        var isNew = user is null;
        user ??= new ApplicationUser
        {
            // A passkey carries the id of the account it was made for.
            Id = passkey is null ? Guid.Empty : Guid.Parse(passkey.Owner.Id),
            UserName = invitation.Email,
            Email = invitation.Email,
            DisplayName = invitation.DisplayName,
        };
        var errors = await PasswordErrorsAsync(user, password);
        if (errors.Count > 0)
        {
            return Refuse(errors);
        }

        if (needsAuthenticator && passkey is null && (invitation.AuthenticatorKey is null || string.IsNullOrWhiteSpace(code)))
        {
            return Refuse([new("Input.Code", CodeMismatch)]);
        }

        user.EmailConfirmed = true;
        user.BranchId = invitation.BranchId;
        user.DisplayName ??= invitation.DisplayName;
        if (isNew)
        {
            Check(await users.CreateAsync(user, password));
        }
        else
        {
            if (await users.HasPasswordAsync(user))
            {
                Check(await users.RemovePasswordAsync(user));
            }

            Check(await users.AddPasswordAsync(user, password));
        }

        await EnsureRoleAsync(invitation.Role);
        var others = (await users.GetRolesAsync(user)).Where(r => r != invitation.Role).ToList();
        if (others.Count > 0)
        {
            Check(await users.RemoveFromRolesAsync(user, others));
        }

        if (!await users.IsInRoleAsync(user, invitation.Role))
        {
            Check(await users.AddToRoleAsync(user, invitation.Role));
        }

        // An account invited again starts its second factor afresh: a passkey from before (on a lost phone, or added by
        // someone who had only the password) would otherwise sign in with the new role and count as a second factor.
        if (!isNew)
        {
            await SecondFactor.RemovePasskeysAsync(users, user);
        }

        string[] recoveryCodes = [];
        if (needsAuthenticator && passkey is not null)
        {
            // The second factor is set up anew: an app from before (on a lost phone, say) stops working.
            await SecondFactor.RemoveAppAsync(users, user);
            if (!(await users.AddOrUpdatePasskeyAsync(user, passkey.Passkey)).Succeeded)
            {
                return Refuse([new("", PasskeyMismatch)]);
            }

            recoveryCodes = await SecondFactor.NewRecoveryCodesAsync(users, user);
        }
        else if (needsAuthenticator)
        {
            await SecondFactor.UseKeyAsync(users, userStore, user, secrets.Unprotect(invitation.AuthenticatorKey!));
            if (!await SecondFactor.VerifyAsync(users, user, code!))
            {
                return Refuse([new("Input.Code", CodeMismatch)]);
            }

            recoveryCodes = await SecondFactor.TurnOnAsync(users, user);
        }

        // Whatever sessions the account had before (a lost phone, a leaked password) end at their next check.
        Check(await users.UpdateSecurityStampAsync(user));
        user.LastSignInAt = now;
        Check(await users.UpdateAsync(user));

        await db.Invitations.Where(i => i.Id == invitation.Id)
            .ExecuteUpdateAsync(i => i.SetProperty(x => x.AcceptedByUserId, user.Id).SetProperty(x => x.AuthenticatorKey, (string?)null), cancellationToken);
        audit.RecordAs(user.Id, invitation.Email, AuditActions.InvitationAccepted, "User", user.Id.ToString(),
            new { invitationId = invitation.Id, role = invitation.Role, branchId = invitation.BranchId, newAccount = isNew, secondFactor = needsAuthenticator, passkey = passkey is not null });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new Acceptance.Accepted(user, invitation.Role, recoveryCodes);
    }

    /// <summary>
    /// The transaction is rolled back as it is disposed; what this context tracked from it (an account created, a
    /// password changed) is forgotten too, so nothing later in the request saves it by accident.
    /// </summary>
    private Acceptance.Refused Refuse(IReadOnlyList<KeyValuePair<string, string>> errors)
    {
        db.ChangeTracker.Clear();
        return new Acceptance.Refused(errors);
    }

    /// <summary>
    /// A passkey fits the invitation when it was made for its address and for its account: the one the address has,
    /// or a new one whose id no account has yet. Only a passkey for an admin or moderator comes with an invitation.
    /// </summary>
    private async Task<bool> FitsAsync(PasskeyUserEntity owner, Invitation invitation, ApplicationUser? user) =>
        Roles.NeedsSecondFactor(invitation.Role)
        && string.Equals(owner.Name, invitation.Email, StringComparison.OrdinalIgnoreCase)
        && (user is not null
            ? owner.Id == user.Id.ToString()
            : Guid.TryParse(owner.Id, out var id) && id != Guid.Empty && await users.FindByIdAsync(id.ToString()) is null);

    public static string RoleDescription(string role, string? branchName) => role switch
    {
        Roles.Admin => "an admin",
        Roles.Moderator => "a moderator (messages of support and disputes' updates)",
        Roles.BranchOfficer => $"the branch officer of {branchName}",
        _ => role,
    };

    private async Task<bool> IsDisabledAsync(string normalizedEmail, DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.Users.AnyAsync(u => u.NormalizedEmail == normalizedEmail && u.LockoutEnd != null && u.LockoutEnd > now, cancellationToken);

    private async Task<List<KeyValuePair<string, string>>> PasswordErrorsAsync(ApplicationUser user, string password)
    {
        var errors = new List<KeyValuePair<string, string>>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            errors.AddRange(result.Errors.Select(e => new KeyValuePair<string, string>("Input.Password", e.Description)));
        }

        return errors;
    }

    private async Task EnsureRoleAsync(string role)
    {
        if (!await roles.RoleExistsAsync(role))
        {
            Check(await roles.CreateAsync(new IdentityRole<Guid>(role)));
        }
    }

    private MimeMessage Compose(IssuedInvitation issued, string link)
    {
        var organisation = Organisation.NameIn(configuration);
        var secondFactor = Roles.NeedsSecondFactor(issued.Role)
            ? " and set up a second factor: an authenticator app on your phone (such as Aegis, FreeOTP, Google Authenticator or Microsoft Authenticator), or a passkey"
            : "";
        var message = new MimeMessage { Subject = $"Your invitation to {organisation}'s strike-donation site" };
        message.From.Add(smtp.Value.FromAddress);
        message.To.Add(MailboxAddress.Parse(issued.Email));
        message.Body = new TextPart("plain")
        {
            Text = $"""
                You have been invited to {organisation}'s strike-donation site as {RoleDescription(issued.Role, issued.BranchName)}.

                Open this link to choose a password{secondFactor}:
                {link}

                The link works once, until {LondonClock.DateTime(issued.ExpiresAt)} (London time). If you did not expect
                this email, ignore it: nothing happens unless the link is opened and completed.
                """,
        };
        return message;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
