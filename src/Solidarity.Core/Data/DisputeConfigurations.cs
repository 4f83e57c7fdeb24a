namespace Solidarity.Core.Data;

internal sealed class UnionConfiguration : IEntityTypeConfiguration<Union>
{
    public void Configure(EntityTypeBuilder<Union> union)
    {
        union.Property(u => u.Name).HasMaxLength(200);
        union.Property(u => u.Website).HasMaxLength(500);
        union.HasIndex(u => u.Name).IsUnique();
    }
}

internal sealed class BranchConfiguration : IEntityTypeConfiguration<Branch>
{
    public void Configure(EntityTypeBuilder<Branch> branch)
    {
        branch.Property(b => b.Code).HasMaxLength(32);
        branch.Property(b => b.Name).HasMaxLength(200);
        branch.Property(b => b.PostalAddress).HasMaxLength(1000);
        branch.Property(b => b.ContactName).HasMaxLength(200);
        branch.Property(b => b.ContactEmail).HasMaxLength(320);
        branch.HasIndex(b => b.Code).IsUnique();
        branch.HasOne(b => b.Union).WithMany().HasForeignKey(b => b.UnionId).OnDelete(DeleteBehavior.Restrict);
        branch.Property(b => b.Version).IsRowVersion();
    }
}

internal sealed class DisputeConfiguration : IEntityTypeConfiguration<Dispute>
{
    public void Configure(EntityTypeBuilder<Dispute> dispute)
    {
        dispute.Property(d => d.Slug).HasMaxLength(80);
        dispute.HasIndex(d => d.Slug).IsUnique();
        dispute.Property(d => d.Title).HasMaxLength(200);
        dispute.Property(d => d.Employer).HasMaxLength(200);
        dispute.Property(d => d.Summary).HasMaxLength(500);
        dispute.Property(d => d.Body).HasMaxLength(20_000);
        dispute.Property(d => d.ChequePayee).HasMaxLength(200);
        dispute.Property(d => d.OfflineGivingNotes).HasMaxLength(4_000);
        dispute.Property(d => d.Disclaimer).HasMaxLength(1_000);
        dispute.HasIndex(d => new { d.IsPublished, d.Status });
        dispute.HasOne(d => d.Union).WithMany().HasForeignKey(d => d.UnionId).OnDelete(DeleteBehavior.Restrict);
        dispute.HasMany(d => d.Workplaces).WithOne().HasForeignKey(w => w.DisputeId).OnDelete(DeleteBehavior.Cascade);
        dispute.HasMany(d => d.Beneficiaries).WithOne().HasForeignKey(b => b.DisputeId).OnDelete(DeleteBehavior.Cascade);
        dispute.HasMany(d => d.Actions).WithOne().HasForeignKey(a => a.DisputeId).OnDelete(DeleteBehavior.Cascade);
        dispute.HasMany(d => d.Updates).WithOne().HasForeignKey(u => u.DisputeId).OnDelete(DeleteBehavior.Cascade);
        dispute.Property(d => d.Version).IsRowVersion();
        dispute.ToTable(t =>
        {
            t.HasCheckConstraint("ck_disputes_target_positive", "\"TargetPence\" IS NULL OR \"TargetPence\" > 0");
            t.HasCheckConstraint("ck_disputes_workers_positive", "\"WorkersInvolved\" IS NULL OR \"WorkersInvolved\" > 0");
            t.HasCheckConstraint("ck_disputes_slug_format", "\"Slug\" ~ '^[a-z0-9]+(-[a-z0-9]+)*$'");
        });
    }
}

internal sealed class FormerSlugConfiguration : IEntityTypeConfiguration<FormerSlug>
{
    public void Configure(EntityTypeBuilder<FormerSlug> former)
    {
        // One dispute per former name, as per current name: a shared link leads to one place.
        former.HasKey(f => f.Slug);
        former.Property(f => f.Slug).HasMaxLength(80);
        former.HasIndex(f => f.DisputeId);
        former.HasOne<Dispute>().WithMany().HasForeignKey(f => f.DisputeId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WorkplaceConfiguration : IEntityTypeConfiguration<Workplace>
{
    public void Configure(EntityTypeBuilder<Workplace> workplace)
    {
        workplace.Property(w => w.Name).HasMaxLength(200);
        workplace.Property(w => w.Town).HasMaxLength(200);
        workplace.HasOne(w => w.Branch).WithMany().HasForeignKey(w => w.BranchId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class BeneficiaryBranchConfiguration : IEntityTypeConfiguration<BeneficiaryBranch>
{
    public void Configure(EntityTypeBuilder<BeneficiaryBranch> beneficiary)
    {
        beneficiary.HasKey(b => new { b.DisputeId, b.BranchId });
        beneficiary.HasOne(b => b.Branch).WithMany().HasForeignKey(b => b.BranchId).OnDelete(DeleteBehavior.Restrict);
        beneficiary.ToTable(t => t.HasCheckConstraint(
            "ck_beneficiary_share_range", $"\"ShareBasisPoints\" > 0 AND \"ShareBasisPoints\" <= {BeneficiaryBranch.WholeShare}"));
    }
}

internal sealed class DisputeActionConfiguration : IEntityTypeConfiguration<DisputeAction>
{
    public void Configure(EntityTypeBuilder<DisputeAction> action)
    {
        action.Property(a => a.Title).HasMaxLength(200);
        action.Property(a => a.Details).HasMaxLength(2_000);
        action.HasIndex(a => new { a.DisputeId, a.StartsAt });
        action.ToTable(t => t.HasCheckConstraint("ck_actions_ends_after_start", "\"EndsAt\" > \"StartsAt\""));
    }
}

internal sealed class DisputeUpdateConfiguration : IEntityTypeConfiguration<DisputeUpdate>
{
    public void Configure(EntityTypeBuilder<DisputeUpdate> update)
    {
        update.Property(u => u.Title).HasMaxLength(200);
        update.Property(u => u.Body).HasMaxLength(20_000);
        update.Property(u => u.AuthorName).HasMaxLength(200);
        update.Property(u => u.Status).HasConversion<string>().HasMaxLength(16).HasDefaultValue(UpdateStatus.Published).HasSentinel((UpdateStatus)(-1));
        update.Property(u => u.CreatedAt).HasDefaultValueSql("now()");
        update.Property(u => u.Version).IsRowVersion();
        update.HasIndex(u => new { u.DisputeId, u.PublishedAt });

        // The scheduler's every-minute query: only the few scheduled rows are indexed.
        update.HasIndex(u => u.ScheduledFor).HasFilter("\"Status\" = 'Scheduled'");
        update.HasMany(u => u.Revisions).WithOne().HasForeignKey(r => r.UpdateId).OnDelete(DeleteBehavior.Cascade);
        update.ToTable(t =>
        {
            t.HasCheckConstraint("ck_updates_published_has_time", "\"Status\" <> 'Published' OR \"PublishedAt\" IS NOT NULL");
            t.HasCheckConstraint("ck_updates_scheduled_has_time", "\"Status\" <> 'Scheduled' OR \"ScheduledFor\" IS NOT NULL");
        });
    }
}

internal sealed class DisputeUpdateRevisionConfiguration : IEntityTypeConfiguration<DisputeUpdateRevision>
{
    public void Configure(EntityTypeBuilder<DisputeUpdateRevision> revision)
    {
        revision.Property(r => r.Id).UseIdentityAlwaysColumn();
        revision.Property(r => r.PreviousTitle).HasMaxLength(200);
        revision.Property(r => r.PreviousBody).HasMaxLength(20_000);
        revision.Property(r => r.EditedByName).HasMaxLength(256);
        revision.HasIndex(r => new { r.UpdateId, r.EditedAt });
    }
}
