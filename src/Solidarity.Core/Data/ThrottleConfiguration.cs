using Solidarity.Core.Throttling;

namespace Solidarity.Core.Data;

internal sealed class ThrottleCounterConfiguration : IEntityTypeConfiguration<ThrottleCounter>
{
    public void Configure(EntityTypeBuilder<ThrottleCounter> counter)
    {
        counter.HasKey(c => new { c.Scope, c.Subject, c.WindowStart });
        counter.Property(c => c.Scope).HasMaxLength(40);
        counter.Property(c => c.Subject).HasMaxLength(100);
        counter.HasIndex(c => c.WindowStart);
    }
}

internal sealed class CheckoutClientConfiguration : IEntityTypeConfiguration<CheckoutClient>
{
    public void Configure(EntityTypeBuilder<CheckoutClient> client)
    {
        client.HasKey(c => c.DonationId);
        client.Property(c => c.ClientSubject).HasMaxLength(100);
        client.HasIndex(c => c.CreatedAt);

        // How many gifts one client started lately that were paid (CardTesting.PaidGiftsFromAsync), read on every checkout.
        client.HasIndex(c => new { c.ClientSubject, c.CreatedAt });
    }
}
