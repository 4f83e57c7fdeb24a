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
    public Task<PeopleOutcome> DisableAsync(Guid userId, Actor actor, CancellationToken cancellationToken) =>
        ChangeAsync(userId, lastAdminRefusal: user => $"{user.Email} cannot be disabled", async (user, now) =>
        {
            if (AccountStates.IsDisabled(user, now))
            {
                return PeopleOutcome.Done;
            }

            Check(await users.SetLockoutEnabledAsync(user, true));
            Check(await users.SetLockoutEndDateAsync(user, AccountStates.DisabledUntil));
            Check(await users.UpdateSecurityStampAsync(user));
            await invitations.WithdrawOpenAsync(user.NormalizedEmail!, now, cancellationToken);
            audit.RecordAs(actor.UserId, actor.Name, AuditActions.AccountDisabled, "User", user.Id.ToString(), new { user.Email });
            return PeopleOutcome.Done;
        }, cancellationToken);

    public Task<PeopleOutcome> EnableAsync(Guid userId, Actor actor, CancellationToken cancellationToken) =>
        ChangeAsync(userId, lastAdminRefusal: null, async (user, now) =>
        {
            if (!AccountStates.IsDisabled(user, now))
            {
                return PeopleOutcome.Done;
            }

            Check(await users.SetLockoutEndDateAsync(user, null));
            audit.RecordAs(actor.UserId, actor.Name, AuditActions.AccountEnabled, "User", user.Id.ToString(), new { user.Email });
            return PeopleOutcome.Done;
        }, cancellationToken);

    /// <summary>
    /// For a lost or replaced phone: removes the authenticator and the recovery codes, ends the account's sessions,
    /// and makes a fresh invitation for its role, through which its owner chooses a password and enrols again.
    /// The caller sends the link; until it is used the account cannot sign in as an admin or moderator.
    /// </summary>
    public Task<PeopleOutcome> ResetSecondFactorAsync(Guid userId, Actor actor, CancellationToken cancellationToken) =>
        ChangeAsync(userId, lastAdminRefusal: user => $"The second factor of {user.Email} cannot be reset", async (user, now) =>
        {
            if (AccountStates.IsDisabled(user, now))
            {
                return PeopleOutcome.Refused($"The account of {user.Email} is disabled: enable it first.");
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
            return invited.Issued is null ? PeopleOutcome.Refused(invited.Refusal!) : new PeopleOutcome(null, invited.Issued);
        }, cancellationToken);

    /// <summary>
    /// One change to an account, in a transaction committed only when the change is not refused. A change that takes
    /// an admin out of use gives <paramref name="lastAdminRefusal"/> (what cannot be done, to whom): it is made under
    /// the admins' lock and refused for the last active admin.
    /// </summary>
    private async Task<PeopleOutcome> ChangeAsync(
        Guid userId,
        Func<ApplicationUser, string>? lastAdminRefusal,
        Func<ApplicationUser, DateTimeOffset, Task<PeopleOutcome>> change,
        CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (lastAdminRefusal is not null)
        {
            await AccountStates.LockAdminsAsync(db, cancellationToken);
        }

        var now = time.GetUtcNow();
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null)
        {
            return PeopleOutcome.Refused("That account does not exist.");
        }

        // Before the change looks at whether the account is disabled: a disabled account is never an active admin, so
        // the order changes nothing.
        if (lastAdminRefusal is not null && await AccountStates.IsLastActiveAdminAsync(db, user.Id, now, cancellationToken))
        {
            return PeopleOutcome.Refused($"{lastAdminRefusal(user)}: {user.Email} {LastAdminRefusal}");
        }

        var outcome = await change(user, now);
        if (outcome.Refusal is null)
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return outcome;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
