using Solidarity.Core.Ledger;

namespace Solidarity.Core.Data;

internal sealed class DonationConfiguration : IEntityTypeConfiguration<Donation>
{
    public void Configure(EntityTypeBuilder<Donation> donation)
    {
        donation.Property(d => d.Currency).HasMaxLength(3);
        donation.Property(d => d.PublicName).HasMaxLength(100);
        donation.Property(d => d.OrganisationName).HasMaxLength(200);
        donation.Property(d => d.DonorName).HasMaxLength(200);
        donation.Property(d => d.Email).HasMaxLength(320);
        donation.Property(d => d.DonorKey).HasMaxLength(80);
        donation.Property(d => d.StripeCheckoutSessionId).HasMaxLength(255);
        donation.Property(d => d.StripePaymentIntentId).HasMaxLength(255);
        donation.Property(d => d.StripeChargeId).HasMaxLength(255);
        donation.Property(d => d.Reference).HasMaxLength(200);
        donation.Property(d => d.ReversalReason).HasMaxLength(Donation.ReversalReasonMaxLength);
        donation.Property(d => d.StripeInvoiceId).HasMaxLength(255);
        donation.HasOne<MonthlyGift>().WithMany().HasForeignKey(d => d.MonthlyGiftId).OnDelete(DeleteBehavior.Restrict);
        donation.HasIndex(d => d.StripeInvoiceId).IsUnique();
        donation.HasIndex(d => d.MonthlyGiftId);
        donation.Ignore(d => d.ChargedPence);
        donation.HasOne<Dispute>().WithMany().HasForeignKey(d => d.DisputeId).OnDelete(DeleteBehavior.Restrict);
        donation.HasOne<Branch>().WithMany().HasForeignKey(d => d.ChosenBranchId).OnDelete(DeleteBehavior.Restrict);
        donation.HasMany(d => d.Allocations).WithOne().HasForeignKey(a => a.DonationId).OnDelete(DeleteBehavior.Restrict);
        donation.HasIndex(d => d.StripeCheckoutSessionId).IsUnique();
        donation.HasIndex(d => d.StripePaymentIntentId);
        donation.HasIndex(d => d.StripeChargeId);
        donation.HasIndex(d => new { d.Status, d.CreatedAt });
        donation.HasIndex(d => new { d.DisputeId, d.Status });

        // The supporters page: named gifts that count, newest first, a page at a time; and a count of the unnamed ones.
        donation.HasIndex(d => new { d.DisputeId, d.PaidAt, d.Id }, "IX_Donations_NamedSupporters")
            .HasFilter("\"CountsAsSupporter\" AND \"ErasedAt\" IS NULL AND (\"PublicName\" IS NOT NULL OR \"OrganisationName\" IS NOT NULL)");
        donation.HasIndex(d => d.DisputeId, "IX_Donations_UnnamedSupporters")
            .HasFilter("\"CountsAsSupporter\" AND (\"ErasedAt\" IS NOT NULL OR (\"PublicName\" IS NULL AND \"OrganisationName\" IS NULL))");
        donation.ToTable(t =>
        {
            t.HasCheckConstraint("ck_donations_amount_positive", "\"AmountPence\" > 0");
            t.HasCheckConstraint("ck_donations_fee_cover_not_negative", "\"FeeCoverPence\" >= 0");

            // An erased donation stays erased: nothing can write a name or an address back onto it.
            t.HasCheckConstraint("ck_donations_erased_holds_no_person",
                "\"ErasedAt\" IS NULL OR (\"DonorName\" IS NULL AND \"Email\" IS NULL AND \"PublicName\" IS NULL)");
        });
    }
}

internal sealed class DonationAllocationConfiguration : IEntityTypeConfiguration<DonationAllocation>
{
    public void Configure(EntityTypeBuilder<DonationAllocation> allocation)
    {
        allocation.HasKey(a => new { a.DonationId, a.BranchId });
        allocation.HasOne<Branch>().WithMany().HasForeignKey(a => a.BranchId).OnDelete(DeleteBehavior.Restrict);
        allocation.ToTable(t => t.HasCheckConstraint("ck_allocations_not_negative", "\"AmountPence\" >= 0"));
    }
}

internal sealed class LedgerEntryConfiguration : IEntityTypeConfiguration<LedgerEntry>
{
    public void Configure(EntityTypeBuilder<LedgerEntry> entry)
    {
        entry.Property(e => e.Id).UseIdentityAlwaysColumn();
        entry.Property(e => e.Kind).HasConversion<string>().HasMaxLength(32);
        entry.Property(e => e.Currency).HasMaxLength(3);
        entry.Property(e => e.Key).HasMaxLength(300);
        entry.Property(e => e.StripeObjectId).HasMaxLength(255);
        entry.Property(e => e.Note).HasMaxLength(500);
        entry.Property(e => e.RecordedAt).HasDefaultValueSql("now()");
        entry.HasIndex(e => e.Key).IsUnique();
        entry.HasIndex(e => new { e.DisputeId, e.Kind });
        entry.HasIndex(e => new { e.BranchId, e.OccurredAt });
        entry.HasIndex(e => e.DonationId);
        entry.HasOne<Dispute>().WithMany().HasForeignKey(e => e.DisputeId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne<Branch>().WithMany().HasForeignKey(e => e.BranchId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne<Donation>().WithMany().HasForeignKey(e => e.DonationId).OnDelete(DeleteBehavior.Restrict);
        entry.ToTable(t => t.HasCheckConstraint("ck_ledger_amount_not_zero", "\"AmountPence\" <> 0"));
    }
}

internal sealed class LedgerTotalConfiguration : IEntityTypeConfiguration<LedgerTotal>
{
    public void Configure(EntityTypeBuilder<LedgerTotal> total)
    {
        total.HasKey(t => new { t.DisputeId, t.BranchId, t.Kind });
        total.Property(t => t.Kind).HasConversion<string>().HasMaxLength(32);
        total.HasOne<Dispute>().WithMany().HasForeignKey(t => t.DisputeId).OnDelete(DeleteBehavior.Restrict);
        total.HasOne<Branch>().WithMany().HasForeignKey(t => t.BranchId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class DisputeSupporterConfiguration : IEntityTypeConfiguration<DisputeSupporter>
{
    public void Configure(EntityTypeBuilder<DisputeSupporter> supporter)
    {
        supporter.HasKey(s => new { s.DisputeId, s.DonorKey });
        supporter.Property(s => s.DonorKey).HasMaxLength(80);
        supporter.HasIndex(s => s.DonorKey);
        supporter.HasOne<Dispute>().WithMany().HasForeignKey(s => s.DisputeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SupporterTotalConfiguration : IEntityTypeConfiguration<SupporterTotal>
{
    public void Configure(EntityTypeBuilder<SupporterTotal> total)
    {
        total.HasKey(t => new { t.DisputeId, t.BranchId });
        total.HasOne<Dispute>().WithMany().HasForeignKey(t => t.DisputeId).OnDelete(DeleteBehavior.Restrict);
        total.HasOne<Branch>().WithMany().HasForeignKey(t => t.BranchId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class StripeEventRecordConfiguration : IEntityTypeConfiguration<StripeEventRecord>
{
    public void Configure(EntityTypeBuilder<StripeEventRecord> record)
    {
        record.HasKey(e => e.EventId);
        record.Property(e => e.EventId).HasMaxLength(255);
        record.Property(e => e.Type).HasMaxLength(100);
        record.Property(e => e.ObjectId).HasMaxLength(255);
        record.Property(e => e.Outcome).HasMaxLength(50);
        record.HasIndex(e => new { e.Outcome, e.ReceivedAt });

        // The open books tell a chargeback still open from one lost by whether Stripe has said it closed.
        record.HasIndex(e => e.ObjectId, "IX_StripeEvents_ClosedDisputes").HasFilter("\"Type\" = 'charge.dispute.closed'");
    }
}

internal sealed class MonthlyGiftConfiguration : IEntityTypeConfiguration<MonthlyGift>
{
    public void Configure(EntityTypeBuilder<MonthlyGift> gift)
    {
        gift.Property(g => g.Currency).HasMaxLength(3);
        gift.Property(g => g.PublicName).HasMaxLength(100);
        gift.Property(g => g.OrganisationName).HasMaxLength(200);
        gift.Property(g => g.DonorName).HasMaxLength(200);
        gift.Property(g => g.Email).HasMaxLength(320);
        gift.Property(g => g.DonorKey).HasMaxLength(80);
        gift.Property(g => g.Status).HasConversion<string>().HasMaxLength(32);
        gift.Property(g => g.StripeCheckoutSessionId).HasMaxLength(255);
        gift.Property(g => g.StripeSubscriptionId).HasMaxLength(255);
        gift.Property(g => g.StripeCustomerId).HasMaxLength(255);
        gift.Ignore(g => g.ChargedPence);
        gift.HasOne<Dispute>().WithMany().HasForeignKey(g => g.DisputeId).OnDelete(DeleteBehavior.Restrict);
        gift.HasOne<Dispute>().WithMany().HasForeignKey(g => g.MovedFromDisputeId).OnDelete(DeleteBehavior.Restrict);
        gift.HasOne<Branch>().WithMany().HasForeignKey(g => g.ChosenBranchId).OnDelete(DeleteBehavior.Restrict);
        gift.HasIndex(g => g.StripeCheckoutSessionId).IsUnique();
        gift.HasIndex(g => g.StripeSubscriptionId).IsUnique();
        gift.HasIndex(g => new { g.DisputeId, g.Status });
        gift.ToTable(t =>
        {
            t.HasCheckConstraint("ck_monthly_gifts_amount_positive", "\"AmountPence\" > 0");
            t.HasCheckConstraint("ck_monthly_gifts_fee_cover_not_negative", "\"FeeCoverPence\" >= 0");
        });
    }
}

internal sealed class MonthlyGiftLinkConfiguration : IEntityTypeConfiguration<MonthlyGiftLink>
{
    public void Configure(EntityTypeBuilder<MonthlyGiftLink> link)
    {
        link.HasKey(l => l.TokenHash);
        link.HasIndex(l => l.MonthlyGiftId);
        link.HasOne<MonthlyGift>().WithMany().HasForeignKey(l => l.MonthlyGiftId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MonthlyPaymentFailureConfiguration : IEntityTypeConfiguration<MonthlyPaymentFailure>
{
    public void Configure(EntityTypeBuilder<MonthlyPaymentFailure> failure)
    {
        failure.HasKey(f => f.StripeInvoiceId);
        failure.Property(f => f.StripeInvoiceId).HasMaxLength(255);
        failure.HasIndex(f => new { f.DisputeId, f.LastFailedAt });
        failure.HasIndex(f => f.MonthlyGiftId);
        failure.HasOne<MonthlyGift>().WithMany().HasForeignKey(f => f.MonthlyGiftId).OnDelete(DeleteBehavior.Restrict);
        failure.HasOne<Dispute>().WithMany().HasForeignKey(f => f.DisputeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class MonthlyTotalConfiguration : IEntityTypeConfiguration<MonthlyTotal>
{
    public void Configure(EntityTypeBuilder<MonthlyTotal> total)
    {
        total.HasKey(t => t.DisputeId);
        total.HasOne<Dispute>().WithMany().HasForeignKey(t => t.DisputeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class MonthlyGiftNoticeConfiguration : IEntityTypeConfiguration<MonthlyGiftNotice>
{
    public void Configure(EntityTypeBuilder<MonthlyGiftNotice> notice)
    {
        notice.HasKey(n => new { n.MonthlyGiftId, n.DisputeId });
        notice.Property(n => n.Round).HasDefaultValue(1);
        notice.HasOne<MonthlyGift>().WithMany().HasForeignKey(n => n.MonthlyGiftId).OnDelete(DeleteBehavior.Restrict);
        notice.HasOne<Dispute>().WithMany().HasForeignKey(n => n.DisputeId).OnDelete(DeleteBehavior.Restrict);
    }
}
