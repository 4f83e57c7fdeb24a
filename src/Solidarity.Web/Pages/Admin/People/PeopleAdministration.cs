namespace Solidarity.Web.Pages.Admin.People;

internal sealed record PeopleOutcome(string? Refusal, IssuedInvitation? Invitation = null)
{
    public static readonly PeopleOutcome Done = new((string?)null);

    public static PeopleOutcome Refused(string why) => new(why);
}

/// <summary>
/// What an admin does to other people's accounts: disable and enable them, and reset their second factor. Each change
/// ends the account's open sessions where it should (a new security stamp), is written to the audit log, and is
/// refused when it would leave the site with no admin able to sign in.
/// </summary>
internal sealed class PeopleAdministration(
    SolidarityDbContext db, UserManager<ApplicationUser> users, Invitations invitations, AuditTrail audit, TimeProvider time)
{
    public const string LastAdminRefusal =
        "is the last active admin: invite another admin (and let them set up their app) first, so that someone can still run the site.";

    /// <summary>
    /// Locks the account out for good and changes its security stamp, so its open sessions end at their next check
    /// (within a minute); any invitation still open for its address is withdrawn, so the link cannot bring it back.
    /// </summary>
    public async Task<PeopleOutcome> DisableAsync(Guid userId, Actor actor, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await AccountStates.LockAdminsAsync(db, cancellationToken);
        var now = time.GetUtcNow();
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null)
        {
            return PeopleOutcome.Refused("That account does not exist.");
        }

        if (AccountStates.IsDisabled(user, now))
        {
            return PeopleOutcome.Done;
        }

        if (await AccountStates.IsLastActiveAdminAsync(db, user.Id, now, cancellationToken))
        {
            return PeopleOutcome.Refused($"{user.Email} cannot be disabled: {user.Email} {LastAdminRefusal}");
        }

        Check(await users.SetLockoutEnabledAsync(user, true));
        Check(await users.SetLockoutEndDateAsync(user, AccountStates.DisabledUntil));
        Check(await users.UpdateSecurityStampAsync(user));
        await invitations.WithdrawOpenAsync(user.NormalizedEmail!, now, cancellationToken);
        audit.RecordAs(actor.UserId, actor.Name, AuditActions.AccountDisabled, "User", user.Id.ToString(), new { user.Email });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return PeopleOutcome.Done;
    }

    public async Task<PeopleOutcome> EnableAsync(Guid userId, Actor actor, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null)
        {
            return PeopleOutcome.Refused("That account does not exist.");
        }

        if (!AccountStates.IsDisabled(user, time.GetUtcNow()))
        {
            return PeopleOutcome.Done;
        }

        Check(await users.SetLockoutEndDateAsync(user, null));
        audit.RecordAs(actor.UserId, actor.Name, AuditActions.AccountEnabled, "User", user.Id.ToString(), new { user.Email });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return PeopleOutcome.Done;
    }

    /// <summary>
    /// For a lost or replaced phone: removes the authenticator and the recovery codes, ends the account's sessions,
    /// and makes a fresh invitation for its role, through which its owner chooses a password and enrols again.
    /// The caller sends the link; until it is used the account cannot sign in as an admin or moderator.
    /// </summary>
    public async Task<PeopleOutcome> ResetSecondFactorAsync(Guid userId, Actor actor, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await AccountStates.LockAdminsAsync(db, cancellationToken);
        var now = time.GetUtcNow();
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null)
        {
            return PeopleOutcome.Refused("That account does not exist.");
        }

        if (AccountStates.IsDisabled(user, now))
        {
            return PeopleOutcome.Refused($"The account of {user.Email} is disabled: enable it first.");
        }

        if (await AccountStates.IsLastActiveAdminAsync(db, user.Id, now, cancellationToken))
        {
            return PeopleOutcome.Refused($"The second factor of {user.Email} cannot be reset: {user.Email} {LastAdminRefusal}");
        }

        var role = (await users.GetRolesAsync(user)).FirstOrDefault();
        if (role is null)
        {
            return PeopleOutcome.Refused($"{user.Email} has no role to be invited back to.");
        }

        await SecondFactor.RemoveAsync(users, user);
        audit.RecordAs(actor.UserId, actor.Name, AuditActions.SecondFactorReset, "User", user.Id.ToString(), new { user.Email, role });
        await db.SaveChangesAsync(cancellationToken);
        var invited = await invitations.IssueAsync(new InvitationRequest(user.Email!, role, user.BranchId), actor, cancellationToken);
        if (invited.Issued is null)
        {
            return PeopleOutcome.Refused(invited.Refusal!);
        }

        await transaction.CommitAsync(cancellationToken);
        return new PeopleOutcome(null, invited.Issued);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
