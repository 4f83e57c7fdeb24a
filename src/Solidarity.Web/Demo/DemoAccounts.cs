using Npgsql;

namespace Solidarity.Web.Demo;

/// <summary>
/// The demo's accounts, whose way in is public (the branch officer's password is in the README; the admin's
/// invitation link is printed at every start): Production refuses to run while any of them exists, and
/// `remove-demo-accounts` removes them. An open invitation to a demo address is not an account, and does not stop a
/// start; the command withdraws it all the same.
/// </summary>
internal sealed class DemoAccounts(
    SolidarityDbContext db, UserManager<ApplicationUser> users, Invitations invitations, AuditTrail audit, TimeProvider time)
{
    public const string CommandName = "remove-demo-accounts";

    public static readonly string[] Emails = [DemoData.AdminEmail, DemoData.OfficerEmail];

    /// <summary>The demo addresses that have an account; none before the first migration.</summary>
    public async Task<List<string>> FindAsync(CancellationToken cancellationToken)
    {
        var normalized = Emails.Select(users.NormalizeEmail).ToList();
        try
        {
            return await db.Users.AsNoTracking().Where(u => normalized.Contains(u.NormalizedEmail!)).Select(u => u.Email!).OrderBy(e => e).ToListAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return [];
        }
    }

    public static string Refusal(IEnumerable<string> emails) =>
        $"The demo's accounts exist ({string.Join(", ", emails)}): their way in is published, so a real site does not start while "
        + $"they do. Remove them with `dotnet Solidarity.Web.dll {CommandName}` (in a container: `{CommandName}` as its command), then start again.";

    /// <summary>Deletes every demo account and withdraws open invitations to demo addresses, in one transaction, each in the audit log.</summary>
    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await AccountStates.LockAdminsAsync(db, cancellationToken);
        var now = time.GetUtcNow();
        var removed = new List<string>();
        foreach (var email in Emails)
        {
            await invitations.WithdrawOpenAsync(users.NormalizeEmail(email), now, cancellationToken);
            if (await users.FindByEmailAsync(email) is not { } user)
            {
                continue;
            }

            var roles = await users.GetRolesAsync(user);
            var result = await users.DeleteAsync(user);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Could not remove {email}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
            }

            audit.RecordAs(Actor.CommandLine.UserId, Actor.CommandLine.Name, AuditActions.DemoAccountRemoved, "User", user.Id.ToString(), new { email, roles });
            removed.Add(email);
        }

        await db.SaveChangesAsync(cancellationToken);
        var adminsLeft = await AccountStates.ActiveAdmins(db, now).AnyAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await output.WriteLineAsync(removed.Count == 0 ? "No demo accounts to remove." : $"Removed the demo accounts: {string.Join(", ", removed)}.");
        if (!adminsLeft)
        {
            await output.WriteLineAsync("No admin can sign in now: invite one with `create-admin --email ADDRESS`.");
        }

        return 0;
    }
}
