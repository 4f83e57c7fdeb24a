using Solidarity.Core.Remittances;

namespace Solidarity.Core.Data;

internal sealed class RemittanceStatementConfiguration : IEntityTypeConfiguration<RemittanceStatement>
{
    public void Configure(EntityTypeBuilder<RemittanceStatement> statement)
    {
        statement.Property(s => s.Currency).HasMaxLength(3);
        statement.Property(s => s.ApprovedByName).HasMaxLength(256);
        statement.Ignore(s => s.MovementPence);

        // One statement per branch and period: a second run of the job, or a concurrent one, adds nothing.
        statement.HasIndex(s => new { s.BranchId, s.PeriodEnd }).IsUnique();
        statement.HasOne<Branch>().WithMany().HasForeignKey(s => s.BranchId).OnDelete(DeleteBehavior.Restrict);
        statement.ToTable(t =>
        {
            t.HasCheckConstraint("ck_statements_period_forward", "\"PeriodStart\" < \"PeriodEnd\"");
            t.HasCheckConstraint(
                "ck_statements_closing_adds_up",
                "\"ClosingPence\" = \"OpeningPence\" + \"CardDonationsPence\" + \"FeesPence\" + \"RefundsPence\" + \"ChargebacksPence\" + " +
                "\"ChargebackReversalsPence\" + \"OfflinePence\" + \"RemittancesPence\"");
        });
    }
}

internal sealed class RemittancePaymentConfiguration : IEntityTypeConfiguration<RemittancePayment>
{
    public void Configure(EntityTypeBuilder<RemittancePayment> payment)
    {
        payment.Property(p => p.Currency).HasMaxLength(3);
        payment.Property(p => p.BankReference).HasMaxLength(100);
        payment.Property(p => p.ReferenceKey).HasMaxLength(100);
        payment.Property(p => p.RecordedByName).HasMaxLength(256);
        payment.Property(p => p.ConfirmedByName).HasMaxLength(256);

        // The same bank transfer can never be recorded twice, by a double click or by two admins; the same reference may
        // come again on another day, for another amount or to another branch.
        payment.HasIndex(p => new { p.BranchId, p.ReferenceKey, p.PaidOn, p.AmountPence }).IsUnique();
        payment.HasIndex(p => new { p.BranchId, p.RecordedAt });
        payment.HasIndex(p => p.StatementId);
        payment.HasOne<RemittanceStatement>().WithMany().HasForeignKey(p => p.StatementId).OnDelete(DeleteBehavior.Restrict);
        payment.HasOne<Branch>().WithMany().HasForeignKey(p => p.BranchId).OnDelete(DeleteBehavior.Restrict);
        payment.ToTable(t => t.HasCheckConstraint("ck_remittance_payments_amount_positive", "\"AmountPence\" > 0"));
    }
}
