using Solidarity.Core.Messages;

namespace Solidarity.Core.Data;

internal sealed class SupportMessageConfiguration : IEntityTypeConfiguration<SupportMessage>
{
    public void Configure(EntityTypeBuilder<SupportMessage> message)
    {
        message.Property(m => m.AuthorName).HasMaxLength(SupportMessage.MaxAuthorNameLength);
        message.Property(m => m.OrganisationName).HasMaxLength(SupportMessage.MaxOrganisationNameLength);
        message.Property(m => m.Town).HasMaxLength(SupportMessage.MaxTownLength);
        message.Property(m => m.Body).HasMaxLength(SupportMessage.MaxBodyLength);
        message.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        message.Property(m => m.ModeratedByName).HasMaxLength(256);
        message.Property(m => m.RejectionReason).HasMaxLength(SupportMessage.MaxRejectionReasonLength);
        message.HasOne<Dispute>().WithMany().HasForeignKey(m => m.DisputeId).OnDelete(DeleteBehavior.Restrict);
        message.HasOne<Donation>().WithMany().HasForeignKey(m => m.DonationId).OnDelete(DeleteBehavior.Restrict);
        message.HasOne<MonthlyGift>().WithMany().HasForeignKey(m => m.MonthlyGiftId).OnDelete(DeleteBehavior.Restrict);
        message.HasIndex(m => new { m.DisputeId, m.Status, m.CreatedAt });
        message.HasIndex(m => new { m.Status, m.CreatedAt });
        message.HasIndex(m => new { m.Status, m.ModeratedAt });
        message.ToTable(t =>
        {
            t.HasCheckConstraint("ck_messages_moderated_when_decided",
                "(\"Status\" = 'Pending' AND \"ModeratedAt\" IS NULL) OR (\"Status\" <> 'Pending' AND \"ModeratedAt\" IS NOT NULL)");
            t.HasCheckConstraint("ck_messages_rejection_has_reason",
                "\"Status\" <> 'Rejected' OR \"RejectionReason\" IS NOT NULL");
        });
    }
}

internal sealed class BranchDigestConfiguration : IEntityTypeConfiguration<BranchDigest>
{
    public void Configure(EntityTypeBuilder<BranchDigest> digest)
    {
        // One digest per branch per day: a second run of the job, or a second worker, fails here and sends nothing.
        digest.HasIndex(d => new { d.BranchId, d.Date }).IsUnique();
        digest.HasOne<Branch>().WithMany().HasForeignKey(d => d.BranchId).OnDelete(DeleteBehavior.Restrict);
        digest.ToTable(t => t.HasCheckConstraint("ck_digests_window", "\"Since\" IS NULL OR \"Since\" < \"Until\""));
    }
}
