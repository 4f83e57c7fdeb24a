using Solidarity.Core.Receipts;

namespace Solidarity.Core.Data;

internal sealed class ReceiptConfiguration : IEntityTypeConfiguration<Receipt>
{
    public void Configure(EntityTypeBuilder<Receipt> receipt)
    {
        receipt.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
        receipt.Property(r => r.Number).HasMaxLength(32);
        receipt.Property(r => r.RefundKey).HasMaxLength(255);
        receipt.Property(r => r.Currency).HasMaxLength(3);
        receipt.HasIndex(r => r.Number).IsUnique();

        // One receipt per donation, one credit note per refund: a second run of a job fails here and changes nothing.
        receipt.HasIndex(r => r.DonationId).IsUnique().HasFilter("\"Kind\" = 'Receipt'");
        receipt.HasIndex(r => r.RefundKey).IsUnique();
        receipt.HasIndex(r => r.DownloadTokenHash).IsUnique();
        receipt.HasOne<Donation>().WithMany().HasForeignKey(r => r.DonationId).OnDelete(DeleteBehavior.Restrict);
        receipt.HasOne<Receipt>().WithMany().HasForeignKey(r => r.OriginalReceiptId).OnDelete(DeleteBehavior.Restrict);
        receipt.ToTable(t =>
        {
            t.HasCheckConstraint("ck_receipts_amount_positive", "\"AmountPence\" > 0");
            t.HasCheckConstraint(
                "ck_receipts_credit_note_refers_to_receipt",
                "(\"Kind\" = 'Receipt' AND \"RefundKey\" IS NULL AND \"OriginalReceiptId\" IS NULL) OR " +
                "(\"Kind\" = 'CreditNote' AND \"RefundKey\" IS NOT NULL AND \"OriginalReceiptId\" IS NOT NULL)");
        });
    }
}

internal sealed class ReceiptCounterConfiguration : IEntityTypeConfiguration<ReceiptCounter>
{
    public void Configure(EntityTypeBuilder<ReceiptCounter> counter)
    {
        counter.HasKey(c => new { c.Series, c.Year });
        counter.Property(c => c.Series).HasMaxLength(16);
        counter.ToTable(t => t.HasCheckConstraint("ck_receipt_counters_next_positive", "\"Next\" > 0"));
    }
}

internal sealed class YearStatementConfiguration : IEntityTypeConfiguration<YearStatement>
{
    public void Configure(EntityTypeBuilder<YearStatement> statement)
    {
        statement.Property(s => s.AddressKey).HasMaxLength(80);
        statement.Property(s => s.Occasion).HasMaxLength(32);

        // One statement per address, year and occasion: the same request twice in a day, or the January job run twice,
        // fails here and sends nothing more.
        statement.HasIndex(s => new { s.AddressKey, s.Year, s.Occasion }).IsUnique();
        statement.HasIndex(s => s.DownloadTokenHash).IsUnique();
        statement.HasIndex(s => s.DonationIds).HasMethod("gin");
    }
}
