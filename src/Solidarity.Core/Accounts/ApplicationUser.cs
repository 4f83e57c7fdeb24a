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

    /// <summary>When the account last completed a sign-in (password, and code where it has a second factor).</summary>
    public DateTimeOffset? LastSignInAt { get; set; }
}

public static class Roles
{
    /// <summary>Everything in the admin area: money, donors, people, disputes, branches, jobs, the audit log.</summary>
    public const string Admin = "Admin";

    /// <summary>Reviews messages of support and writes disputes' updates; nothing else.</summary>
    public const string Moderator = "Moderator";

    /// <summary>One branch's money, statements and messages.</summary>
    public const string BranchOfficer = "BranchOfficer";

    public static readonly string[] All = [Admin, Moderator, BranchOfficer];

    /// <summary>Roles whose every session must have used a second factor, enrolled only through an invitation.</summary>
    public static bool NeedsSecondFactor(string role) => role is Admin or Moderator;
}
