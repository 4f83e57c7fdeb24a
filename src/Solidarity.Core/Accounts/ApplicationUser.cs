using Microsoft.AspNetCore.Identity;

namespace Solidarity.Core.Accounts;

public sealed class ApplicationUser : IdentityUser<Guid>
{
    public ApplicationUser() => Id = Guid.CreateVersion7();

    public string? DisplayName { get; set; }

    /// <summary>The one branch a branch officer acts for; null for everyone else.</summary>
    public Guid? BranchId { get; set; }

    /// <summary>
    /// The time step (30-second count since 1970) of the last authenticator code accepted, so a code overheard or
    /// replayed within its minute is refused: each code signs in once.
    /// </summary>
    public long? LastAuthenticatorTimeStep { get; set; }
}

public static class Roles
{
    public const string Admin = "Admin";
    public const string BranchOfficer = "BranchOfficer";

    public static readonly string[] All = [Admin, BranchOfficer];
}
