namespace Solidarity.Web.Pages.Account;

/// <summary>What state an account is in: disabled or not, needing a second factor, one of the admins who keep the site running.</summary>
internal static class AccountStates
{
    /// <summary>
    /// A disabled account is locked out for good (Identity's lockout, never set by failures here: SignInThrottle
    /// slows those instead), so every sign-in step refuses it.
    /// </summary>
    public static readonly DateTimeOffset DisabledUntil = DateTimeOffset.MaxValue;

    /// <summary>Held while a change could leave the site with no admin, so two admins cannot disable each other at once.</summary>
    private const long AdminsLockKey = 0x50_65_6f_70_6c_65; // "People"

    public static bool IsDisabled(ApplicationUser user, DateTimeOffset now) => user.LockoutEnd is { } end && end > now;

    /// <summary>Admins who can sign in: enabled, with a second factor enrolled (an authenticator app or a passkey).</summary>
    public static IQueryable<ApplicationUser> ActiveAdmins(SolidarityDbContext db, DateTimeOffset now) =>
        db.Users.Where(u => (u.TwoFactorEnabled || db.UserPasskeys.Any(p => p.UserId == u.Id))
            && (u.LockoutEnd == null || u.LockoutEnd <= now)
            && db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == Roles.Admin)));

    /// <summary>True when <paramref name="userId"/> is an active admin and no other admin is.</summary>
    public static async Task<bool> IsLastActiveAdminAsync(SolidarityDbContext db, Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var active = await ActiveAdmins(db, now).Select(u => u.Id).Take(2).ToListAsync(cancellationToken);
        return active.Count == 1 && active[0] == userId;
    }

    /// <summary>Takes the transaction-scoped lock under which the last-admin rule is checked and the change saved.</summary>
    public static Task LockAdminsAsync(SolidarityDbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdminsLockKey})", cancellationToken);

    /// <summary>Admins and moderators: every session needs a second factor, enrolled only through an invitation.</summary>
    public static async Task<bool> NeedsSecondFactorAsync(UserManager<ApplicationUser> users, ApplicationUser user) =>
        (await users.GetRolesAsync(user)).Any(Roles.NeedsSecondFactor);
}
