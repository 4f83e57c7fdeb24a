using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Audit;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests;

public sealed class MigrationTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public async Task Migrations_apply_to_an_empty_database_and_match_the_model()
    {
        await using var app = new SolidarityApp();
        await app.InitialiseAsync(Fixture.Server, "migration_check");

        await app.WithDbAsync(async db =>
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.False(db.Database.HasPendingModelChanges(), "The model has changes no migration captures: add a migration.");
        });
    }

    [Fact]
    public async Task Audit_entries_cannot_be_changed_or_deleted()
    {
        await AddAuditEntryAsync();

        await App.WithDbAsync(async db =>
        {
            var update = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
                db.Database.ExecuteSqlRawAsync("UPDATE \"AuditEntries\" SET \"UserName\" = 'someone else'"));
            Assert.Contains("append-only", update.MessageText, StringComparison.Ordinal);
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM \"AuditEntries\""));
            Assert.Equal(1, await db.AuditEntries.CountAsync());
        });
    }

    [Fact]
    public async Task Ledger_entries_cannot_be_changed_or_deleted()
    {
        await AddLedgerEntryAsync();

        await App.WithDbAsync(async db =>
        {
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
                db.Database.ExecuteSqlRawAsync("UPDATE \"LedgerEntries\" SET \"AmountPence\" = 1"));
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM \"LedgerEntries\""));
            Assert.Equal(1_000, await db.LedgerEntries.SumAsync(e => e.AmountPence));
        });
    }

    [Theory]
    [InlineData("TRUNCATE \"AuditEntries\"")]
    [InlineData("TRUNCATE \"LedgerEntries\"")]
    [InlineData("TRUNCATE \"LedgerEntries\", \"AuditEntries\"")]
    [InlineData("TRUNCATE \"Disputes\" CASCADE")]
    public async Task Append_only_tables_refuse_truncate_from_the_sites_connection(string truncate)
    {
        await AddAuditEntryAsync();
        await AddLedgerEntryAsync();

        await App.WithDbAsync(async db =>
        {
            var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => db.Database.ExecuteSqlRawAsync(truncate));
            Assert.Equal(Npgsql.PostgresErrorCodes.RestrictViolation, refused.SqlState);
            Assert.Contains("append-only: TRUNCATE refused", refused.MessageText, StringComparison.Ordinal);
            Assert.Equal(1, await db.AuditEntries.CountAsync());
            Assert.Equal(1, await db.LedgerEntries.CountAsync());
            Assert.Equal(1, await db.Disputes.CountAsync());
        });
    }

    [Fact]
    public async Task The_test_reset_still_empties_the_append_only_tables()
    {
        await AddAuditEntryAsync();
        await AddLedgerEntryAsync();

        await App.ResetAsync();

        Assert.Equal(0, await App.WithDbAsync(db => db.AuditEntries.CountAsync()));
        Assert.Equal(0, await App.WithDbAsync(db => db.LedgerEntries.CountAsync()));
    }

    private Task AddAuditEntryAsync() => App.WithDbAsync(async db =>
    {
        db.AuditEntries.Add(new AuditEntry
        {
            At = DateTimeOffset.UtcNow, UserName = "admin@example.org", Action = "dispute.created", SubjectType = "Dispute", SubjectId = "x",
        });
        await db.SaveChangesAsync();
    });

    private Task AddLedgerEntryAsync() => App.WithDbAsync(async db =>
    {
        var union = new Solidarity.Core.Disputes.Union { Name = "Test Union" };
        var branch = new Solidarity.Core.Disputes.Branch
        {
            Code = "TB1", Name = "Test branch", Union = union, PostalAddress = "1 Test Street", ContactName = "Test Contact",
        };
        var dispute = new Solidarity.Core.Disputes.Dispute
        {
            Slug = "ledger-test", Title = "Ledger test", Employer = "Employer", Union = union, Summary = "s", Body = "b",
        };
        db.AddRange(union, branch, dispute);
        db.LedgerEntries.Add(new Solidarity.Core.Ledger.LedgerEntry
        {
            DisputeId = dispute.Id, BranchId = branch.Id, Kind = Solidarity.Core.Ledger.LedgerEntryKind.OfflineDonation,
            AmountPence = 1_000, Key = "offline:test", OccurredAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
    });
}
