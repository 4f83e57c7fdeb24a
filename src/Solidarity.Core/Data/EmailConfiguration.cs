using Solidarity.Core.Email;

namespace Solidarity.Core.Data;

internal sealed class EmailDeliveryConfiguration : IEntityTypeConfiguration<EmailDelivery>
{
    public void Configure(EntityTypeBuilder<EmailDelivery> delivery)
    {
        delivery.HasKey(d => d.Key);
        delivery.Property(d => d.Key).HasMaxLength(200);
        delivery.Property(d => d.LastError).HasMaxLength(500);
        delivery.Property(d => d.MessageId).HasMaxLength(255);

        // The few emails still owed, for the jobs that send again what a long mail outage left unsent.
        delivery.HasIndex(d => d.CreatedAt, "IX_EmailDeliveries_Unsent").HasFilter("\"SentAt\" IS NULL");
    }
}
