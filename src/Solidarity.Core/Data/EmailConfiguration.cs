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
    }
}
