namespace Solidarity.Core.Accounts;

/// <summary>
/// An admin's (or the create-admin command's) invitation for one address to take one role. The link carries a token
/// of 32 random bytes; only its SHA-256 is kept, so the database alone cannot be turned into a working link. It works
/// once, for 48 hours, and a newer invitation for the same address withdraws it.
/// </summary>
public sealed class Invitation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public required string Email { get; set; }

    /// <summary>The address as Identity normalises it, so that a reissue finds the older invitation whatever its case.</summary>
    public required string NormalizedEmail { get; set; }

    /// <summary>A name to give a new account; an existing account keeps its own.</summary>
    public string? DisplayName { get; set; }

    /// <summary>One of <see cref="Roles"/>.</summary>
    public required string Role { get; set; }

    /// <summary>The branch of a branch officer; null for the other roles.</summary>
    public Guid? BranchId { get; set; }

    public required byte[] TokenHash { get; set; }

    /// <summary>
    /// The authenticator key offered on the invitation page, made at its first viewing and kept until the invitation
    /// is used or withdrawn, so that reloading the page shows the key already typed into the app. Encrypted with data
    /// protection (SecondFactorSecrets), as the key on an account is.
    /// </summary>
    public string? AuthenticatorKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>The account that acted, or null for the command line.</summary>
    public Guid? InvitedByUserId { get; set; }

    public required string InvitedByName { get; set; }

    /// <summary>The account the invitation made or updated, once accepted.</summary>
    public Guid? AcceptedByUserId { get; set; }

    public bool IsOpenAt(DateTimeOffset now) => AcceptedAt is null && RevokedAt is null && ExpiresAt > now;
}
