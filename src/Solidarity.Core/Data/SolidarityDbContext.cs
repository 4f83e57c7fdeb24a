using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Solidarity.Core.Accounts;
using Solidarity.Core.Audit;
using Solidarity.Core.Email;
using Solidarity.Core.Ledger;
using Solidarity.Core.Messages;
using Solidarity.Core.Receipts;
using Solidarity.Core.Remittances;
using Solidarity.Core.Throttling;

namespace Solidarity.Core.Data;

public sealed class SolidarityDbContext(DbContextOptions<SolidarityDbContext> options)
    : IdentityDbContext<ApplicationUser, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    public const string MigrationsAssembly = "Solidarity.Migrations";

    /// <summary>
    /// Identity's third schema, which adds the passkeys table. Identity reads it from IdentityOptions.Stores in the
    /// services the context was made with: the site sets it there, and so does the migrations tool's factory.
    /// </summary>
    public static readonly Version IdentitySchema = IdentitySchemaVersions.Version3;

    public DbSet<Union> Unions => Set<Union>();
    public DbSet<Branch> Branches => Set<Branch>();
    public DbSet<Dispute> Disputes => Set<Dispute>();
    public DbSet<Workplace> Workplaces => Set<Workplace>();
    public DbSet<FormerSlug> FormerSlugs => Set<FormerSlug>();
    public DbSet<BeneficiaryBranch> BeneficiaryBranches => Set<BeneficiaryBranch>();
    public DbSet<DisputeAction> DisputeActions => Set<DisputeAction>();
    public DbSet<DisputeUpdate> DisputeUpdates => Set<DisputeUpdate>();
    public DbSet<DisputeUpdateRevision> DisputeUpdateRevisions => Set<DisputeUpdateRevision>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<Donation> Donations => Set<Donation>();
    public DbSet<DonationAllocation> DonationAllocations => Set<DonationAllocation>();
    public DbSet<LedgerEntry> LedgerEntries => Set<LedgerEntry>();
    public DbSet<LedgerTotal> LedgerTotals => Set<LedgerTotal>();
    public DbSet<DisputeSupporter> DisputeSupporters => Set<DisputeSupporter>();
    public DbSet<ThrottleCounter> ThrottleCounters => Set<ThrottleCounter>();
    public DbSet<CheckoutClient> CheckoutClients => Set<CheckoutClient>();
    public DbSet<SupporterTotal> SupporterTotals => Set<SupporterTotal>();
    public DbSet<StripeEventRecord> StripeEvents => Set<StripeEventRecord>();
    public DbSet<MonthlyGift> MonthlyGifts => Set<MonthlyGift>();
    public DbSet<MonthlyGiftLink> MonthlyGiftLinks => Set<MonthlyGiftLink>();
    public DbSet<MonthlyPaymentFailure> MonthlyPaymentFailures => Set<MonthlyPaymentFailure>();
    public DbSet<MonthlyTotal> MonthlyTotals => Set<MonthlyTotal>();
    public DbSet<MonthlyGiftNotice> MonthlyGiftNotices => Set<MonthlyGiftNotice>();
    public DbSet<SupportMessage> SupportMessages => Set<SupportMessage>();
    public DbSet<BranchDigest> BranchDigests => Set<BranchDigest>();
    public DbSet<Receipt> Receipts => Set<Receipt>();
    public DbSet<ReceiptCounter> ReceiptCounters => Set<ReceiptCounter>();
    public DbSet<EmailDelivery> EmailDeliveries => Set<EmailDelivery>();
    public DbSet<YearStatement> YearStatements => Set<YearStatement>();
    public DbSet<RemittanceStatement> RemittanceStatements => Set<RemittanceStatement>();
    public DbSet<RemittancePayment> RemittancePayments => Set<RemittancePayment>();

    /// <summary>
    /// ASP.NET Core's data-protection keys, which encrypt the sign-in, antiforgery and donor-browser cookies: kept here so
    /// that every web and worker process reads the same keys and a new container does not sign everyone out.
    /// </summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(SolidarityDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums are stored by name so the database reads plainly and reordering an enum is safe.
        configurationBuilder.Properties<DisputeStatus>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<ActionKind>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<DonationMethod>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<DonationStatus>().HaveConversion<string>().HaveMaxLength(32);
    }
}
