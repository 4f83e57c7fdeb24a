using Solidarity.Core.Accounts;

namespace Solidarity.Core.Data;

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> invitation)
    {
        invitation.Property(i => i.Email).HasMaxLength(256);
        invitation.Property(i => i.NormalizedEmail).HasMaxLength(256);
        invitation.Property(i => i.DisplayName).HasMaxLength(200);
        invitation.Property(i => i.Role).HasMaxLength(32);
        invitation.Property(i => i.TokenHash).HasMaxLength(32);
        invitation.Property(i => i.AuthenticatorKey).HasMaxLength(512);
        invitation.Property(i => i.InvitedByName).HasMaxLength(256);
        invitation.HasIndex(i => i.TokenHash).IsUnique();

        // One invitation in force per address: a reissue withdraws the older one in the same transaction, and two
        // admins inviting the same person at once cannot leave two working links.
        invitation.HasIndex(i => i.NormalizedEmail)
            .IsUnique()
            .HasFilter("\"AcceptedAt\" IS NULL AND \"RevokedAt\" IS NULL")
            .HasDatabaseName("IX_Invitations_NormalizedEmail_Open");
        invitation.HasOne<Disputes.Branch>().WithMany().HasForeignKey(i => i.BranchId).OnDelete(DeleteBehavior.Restrict);
        invitation.HasOne<ApplicationUser>().WithMany().HasForeignKey(i => i.InvitedByUserId).OnDelete(DeleteBehavior.SetNull);
        invitation.HasOne<ApplicationUser>().WithMany().HasForeignKey(i => i.AcceptedByUserId).OnDelete(DeleteBehavior.SetNull);
    }
}
