namespace Solidarity.Web.Pages.Remittances;

/// <summary>
/// The branch a signed-in officer acts for, read from their account on every request rather than from the
/// cookie, so moving an officer to another branch (or removing them) takes effect at once.
/// </summary>
internal sealed class BranchOfficers(SolidarityDbContext db)
{
    public async Task<Guid?> BranchIdAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            return null;
        }

        return await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.BranchId).SingleOrDefaultAsync(cancellationToken);
    }

    public static Guid? UserId(ClaimsPrincipal user) => Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static string UserName(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Email) ?? user.Identity?.Name ?? "unknown";
}
