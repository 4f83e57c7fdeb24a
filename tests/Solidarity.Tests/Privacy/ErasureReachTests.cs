using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Solidarity.Core.Audit;
using Solidarity.Core.Ledger;
using Solidarity.Core.Messages;
using OfflineReferencesOutOfAppendOnlyTables = Solidarity.Migrations.Migrations.OfflineReferencesOutOfAppendOnlyTables;
using OfflineReversalReasonsOutOfAppendOnlyTables = Solidarity.Migrations.Migrations.OfflineReversalReasonsOutOfAppendOnlyTables;
using RejectionReasonsOutOfTheAuditLog = Solidarity.Migrations.Migrations.RejectionReasonsOutOfTheAuditLog;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Admin.Donors;
using Solidarity.Web.Pages.Admin.Messages;
using Solidarity.Web.Pages.Admin.Money;
using Solidarity.Web.Pages.Ledger;

namespace Solidarity.Tests.Privacy;

/// <summary>
/// Erasure reaches what lies outside the donor's own rows: an offline gift's reference and the reason it was reversed,
/// a moderator's reason for rejecting their message, the notes and audit details that once quoted them (rewritten once
/// by a migration), the jobs' store, and development mail files.
/// </summary>
public sealed class ErasureReachTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public async Task Erasure_clears_an_offline_gifts_reference_which_no_ledger_note_or_audit_entry_holds()
    {
        var data = await DonorData.SeedAsync(App);

        await EraseJoAsync();

        var cheque = await App.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync(d => d.Id == data.JoCheque));
        Assert.Null(cheque.Reference);
        Assert.Equal(1_000, cheque.AmountPence);
        var texts = await App.WithDbAsync(async db =>
            (await db.LedgerEntries.AsNoTracking().Select(e => e.Note).ToListAsync())
                .Concat(await db.AuditEntries.AsNoTracking().Where(a => a.Details != null).Select(a => a.Details!).ToListAsync()));
        Assert.DoesNotContain(texts, t => t != null && t.Contains("100234", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_migration_rewrites_references_written_before_once_and_says_so_in_the_audit_log()
    {
        var data = await DonorData.SeedAsync(App);
        await App.WithDbAsync(async db =>
        {
            // Rows of the old shape: the reference copied into the note and into the audit entry.
            await db.Database.ExecuteSqlRawAsync(
                """
                INSERT INTO "LedgerEntries" ("DisputeId", "BranchId", "Kind", "AmountPence", "Currency", "Key", "DonationId", "OccurredAt", "Note")
                VALUES (@dispute, @branch, 'OfflineDonation', 0 + 1, 'GBP', 'old-shape-offline', @donation, now(), 'Cheque Cheque 100234 J BLOGGS')
                """,
                [new NpgsqlParameter("dispute", data.DisputeId), new NpgsqlParameter("branch", data.Burton), new NpgsqlParameter("donation", data.JoCheque)]);
            db.AuditEntries.Add(new AuditEntry
            {
                At = DateTimeOffset.UtcNow, UserName = "admin@example.org", Action = "offline-donation.recorded", SubjectType = "Donation",
                SubjectId = data.JoCheque.ToString(), Details = """{"amountPence": 1000, "reference": "Cheque 100234 J BLOGGS"}""",
            });
            await db.SaveChangesAsync();
        });

        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(OfflineReferencesOutOfAppendOnlyTables.RewriteSql));
        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(OfflineReferencesOutOfAppendOnlyTables.RewriteSql));

        Assert.Equal("Cheque", await App.WithDbAsync(db => db.LedgerEntries.Where(e => e.Key == "old-shape-offline").Select(e => e.Note).SingleAsync()));
        var details = await App.WithDbAsync(db => db.AuditEntries.Where(a => a.Action == "offline-donation.recorded").Select(a => a.Details).SingleAsync());
        Assert.DoesNotContain("100234", details, StringComparison.Ordinal);
        Assert.Contains("\"hasReference\": true", details, StringComparison.Ordinal);
        var record = Assert.Single(await App.WithDbAsync(db => db.AuditEntries.Where(a => a.Action == "personal-data.rewritten").ToListAsync()));
        Assert.Contains("\"auditEntryDetails\": 1", record.Details, StringComparison.Ordinal);

        // The triggers are back: the append-only tables refuse an edit again.
        await Assert.ThrowsAnyAsync<Exception>(() => App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""UPDATE "LedgerEntries" SET "Note" = 'x'""")));
        await Assert.ThrowsAnyAsync<Exception>(() => App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""UPDATE "AuditEntries" SET "UserName" = 'x'""")));
    }

    [Fact]
    public async Task The_reason_an_offline_gift_was_reversed_is_kept_on_the_gift_alone_and_erasure_clears_it()
    {
        var data = await DonorData.SeedAsync(App);
        await using (var scope = App.Scope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<OfflineMoney>()
                .ReverseAsync(data.JoCheque, PrivateReason, confirmOverdraw: true, Admin, CancellationToken.None);
            Assert.IsType<OfflineReversal.Reversed>(outcome);
        }

        Assert.Equal(PrivateReason, await App.WithDbAsync(db => db.Donations.Where(d => d.Id == data.JoCheque).Select(d => d.ReversalReason).SingleAsync()));
        var notes = await App.WithDbAsync(db =>
            db.LedgerEntries.Where(e => e.Kind == LedgerEntryKind.OfflineDonationReversed).Select(e => e.Note).ToListAsync());
        Assert.Equal(["Cheque reversed"], notes);
        Assert.DoesNotContain(await AppendOnlyTextsAsync(), t => t.Contains("30-94-57", StringComparison.Ordinal));
        await using (var scope = App.Scope())
        {
            var export = await scope.ServiceProvider.GetRequiredService<DonorRecords>().ExportAsync(DonorData.JoEmail, CancellationToken.None);
            Assert.Contains(export.Donations, d => d.ReversalReason == PrivateReason);
        }

        await EraseJoAsync();

        Assert.Null(await App.WithDbAsync(db => db.Donations.Where(d => d.Id == data.JoCheque).Select(d => d.ReversalReason).SingleAsync()));
    }

    [Fact]
    public async Task Reversing_an_erased_donors_gift_keeps_no_reason_that_no_erasure_could_reach()
    {
        var data = await DonorData.SeedAsync(App);
        await EraseJoAsync();

        await using (var scope = App.Scope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<OfflineMoney>()
                .ReverseAsync(data.JoCheque, PrivateReason, confirmOverdraw: true, Admin, CancellationToken.None);
            Assert.IsType<OfflineReversal.Reversed>(outcome);
        }

        Assert.Null(await App.WithDbAsync(db => db.Donations.Where(d => d.Id == data.JoCheque).Select(d => d.ReversalReason).SingleAsync()));
        Assert.DoesNotContain(await AppendOnlyTextsAsync(), t => t.Contains("30-94-57", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_migration_moves_reversal_reasons_written_before_onto_their_gifts_once_and_says_so_in_the_audit_log()
    {
        var data = await DonorData.SeedAsync(App);
        await App.WithDbAsync(async db =>
        {
            // Rows of the old shape: the reason written into the reversing entry's note and into the audit entry.
            await db.Database.ExecuteSqlRawAsync(
                """
                UPDATE "Donations" SET "Status" = 'Reversed' WHERE "Id" = @donation;
                INSERT INTO "LedgerEntries" ("DisputeId", "BranchId", "Kind", "AmountPence", "Currency", "Key", "DonationId", "OccurredAt", "Note")
                VALUES (@dispute, @branch, 'OfflineDonationReversed', -1000, 'GBP', 'old-shape-reversal', @donation, now(), @reason)
                """,
                [
                    new NpgsqlParameter("dispute", data.DisputeId), new NpgsqlParameter("branch", data.Burton),
                    new NpgsqlParameter("donation", data.JoCheque), new NpgsqlParameter("reason", PrivateReason),
                ]);
            db.AuditEntries.Add(new AuditEntry
            {
                At = DateTimeOffset.UtcNow, UserName = "admin@example.org", Action = "offline-donation.reversed", SubjectType = "Donation",
                SubjectId = data.JoCheque.ToString(), Details = $$"""{"reason": "{{PrivateReason}}", "amountPence": 1000, "overdrawn": false}""",
            });
            await db.SaveChangesAsync();
        });

        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(OfflineReversalReasonsOutOfAppendOnlyTables.RewriteSql));
        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(OfflineReversalReasonsOutOfAppendOnlyTables.RewriteSql));

        Assert.Equal(PrivateReason, await App.WithDbAsync(db => db.Donations.Where(d => d.Id == data.JoCheque).Select(d => d.ReversalReason).SingleAsync()));
        Assert.Equal("Cheque reversed", await App.WithDbAsync(db => db.LedgerEntries.Where(e => e.Key == "old-shape-reversal").Select(e => e.Note).SingleAsync()));
        Assert.DoesNotContain(await AppendOnlyTextsAsync(), t => t.Contains("30-94-57", StringComparison.Ordinal));
        var record = Assert.Single(await App.WithDbAsync(db => db.AuditEntries.Where(a => a.Action == "personal-data.rewritten").ToListAsync()));
        Assert.Contains("\"ledgerEntryNotes\": 1", record.Details, StringComparison.Ordinal);
        Assert.Contains("\"auditEntryDetails\": 1", record.Details, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""UPDATE "LedgerEntries" SET "Note" = 'x'""")));
        await Assert.ThrowsAnyAsync<Exception>(() => App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""UPDATE "AuditEntries" SET "UserName" = 'x'""")));
    }

    [Fact]
    public async Task The_migration_leaves_an_erased_gifts_old_reversal_reason_nowhere()
    {
        var data = await DonorData.SeedAsync(App);
        await EraseJoAsync();
        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            """
            UPDATE "Donations" SET "Status" = 'Reversed' WHERE "Id" = @donation;
            INSERT INTO "LedgerEntries" ("DisputeId", "BranchId", "Kind", "AmountPence", "Currency", "Key", "DonationId", "OccurredAt", "Note")
            VALUES (@dispute, @branch, 'OfflineDonationReversed', -1000, 'GBP', 'old-shape-reversal', @donation, now(), @reason)
            """,
            [
                new NpgsqlParameter("dispute", data.DisputeId), new NpgsqlParameter("branch", data.Burton),
                new NpgsqlParameter("donation", data.JoCheque), new NpgsqlParameter("reason", PrivateReason),
            ]));

        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(OfflineReversalReasonsOutOfAppendOnlyTables.RewriteSql));

        Assert.Null(await App.WithDbAsync(db => db.Donations.Where(d => d.Id == data.JoCheque).Select(d => d.ReversalReason).SingleAsync()));
        Assert.DoesNotContain(await AppendOnlyTextsAsync(), t => t.Contains("30-94-57", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Erasure_clears_a_moderators_reason_for_rejecting_the_donors_message_which_no_audit_entry_holds()
    {
        var data = await DonorData.SeedAsync(App);
        await App.WithDbAsync(db => db.SupportMessages.Where(m => m.Id == data.JoMessage)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.Status, ModerationStatus.Pending).SetProperty(x => x.ModeratedAt, (DateTimeOffset?)null)));
        await using (var scope = App.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<MessageModeration>()
                .DecideAsync(Admin, [data.JoMessage], ModerationStatus.Rejected, PrivateRejection, CancellationToken.None);
        }

        Assert.Equal(PrivateRejection, await RejectionReasonAsync(data.JoMessage));
        Assert.DoesNotContain(await AppendOnlyTextsAsync(), t => t.Contains("07700", StringComparison.Ordinal));

        await EraseJoAsync();

        Assert.Equal(SupportMessage.ReasonRemoved, await RejectionReasonAsync(data.JoMessage));
        Assert.DoesNotContain(await AppendOnlyTextsAsync(), t => t.Contains("07700", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_migration_takes_rejection_reasons_written_before_out_of_the_audit_log_and_off_removed_messages_once()
    {
        var data = await DonorData.SeedAsync(App);
        var kept = await App.WithDbAsync(async db =>
        {
            // Rows of the old shape: each reason in its audit entry too, and one left on a message whose text is gone.
            var other = new SupportMessage
            {
                DisputeId = data.DisputeId, Body = "Still here", Status = ModerationStatus.Rejected, CreatedAt = DonorData.PaidAt,
                ModeratedAt = DonorData.PaidAt, ModeratedByName = "moderator@example.org", RejectionReason = "Off topic",
            };
            db.SupportMessages.Add(other);
            await db.SupportMessages.Where(m => m.Id == data.JoMessage).ExecuteUpdateAsync(m => m
                .SetProperty(x => x.Status, ModerationStatus.Rejected).SetProperty(x => x.RejectionReason, PrivateRejection)
                .SetProperty(x => x.Body, DonorErasure.MessageRemoved));
            foreach (var (id, reason) in new[] { (data.JoMessage, PrivateRejection), (other.Id, "Off topic") })
            {
                db.AuditEntries.Add(new AuditEntry
                {
                    At = DateTimeOffset.UtcNow, UserName = "moderator@example.org", Action = "message.rejected", SubjectType = "SupportMessage",
                    SubjectId = id.ToString(), Details = System.Text.Json.JsonSerializer.Serialize(new { reason }),
                });
            }

            await db.SaveChangesAsync();
            return other.Id;
        });

        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(RejectionReasonsOutOfTheAuditLog.RewriteSql));
        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(RejectionReasonsOutOfTheAuditLog.RewriteSql));

        Assert.Equal(SupportMessage.ReasonRemoved, await RejectionReasonAsync(data.JoMessage));
        Assert.Equal("Off topic", await RejectionReasonAsync(kept));
        Assert.DoesNotContain(await AppendOnlyTextsAsync(), t => t.Contains("07700", StringComparison.Ordinal) || t.Contains("Off topic", StringComparison.Ordinal));
        var rejections = await App.WithDbAsync(db => db.AuditEntries.Where(a => a.Action == "message.rejected").ToListAsync());
        Assert.Equal(2, rejections.Count);
        Assert.All(rejections, a => Assert.Null(a.Details));
        var record = Assert.Single(await App.WithDbAsync(db => db.AuditEntries.Where(a => a.Action == "personal-data.rewritten").ToListAsync()));
        Assert.Contains("\"auditEntryDetails\": 2", record.Details, StringComparison.Ordinal);
        Assert.Contains("\"removedMessages\": 1", record.Details, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""UPDATE "AuditEntries" SET "UserName" = 'x'""")));
    }

    [Fact]
    public async Task Erasure_clears_the_mail_servers_answer_from_the_jobs_store()
    {
        var data = await DonorData.SeedAsync(App);
        var receiptId = await App.WithDbAsync(db => db.Receipts.Where(r => r.DonationId == data.JoCard).Select(r => r.Id).FirstAsync());
        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            """
            WITH job AS (
                INSERT INTO hangfire."job" ("invocationdata", "arguments", "createdat")
                VALUES (@invocation::jsonb, @arguments::jsonb, now()) RETURNING "id")
            INSERT INTO hangfire."state" ("jobid", "name", "createdat", "data")
            SELECT "id", 'Failed', now(), @data::jsonb FROM job
            """,
            [
                new NpgsqlParameter("invocation", "{}"),
                new NpgsqlParameter("arguments", $"[\"\\\"{receiptId}\\\"\"]"),
                new NpgsqlParameter("data", """{"ExceptionMessage": "5.1.1 <jo@example.org>: mailbox unavailable", "ExceptionDetails": "at jo@example.org"}"""),
            ]));

        await EraseJoAsync();

        var states = await App.WithDbAsync(db => db.Database.SqlQueryRaw<string>("""SELECT "data"::text AS "Value" FROM hangfire."state" """).ToListAsync());
        Assert.NotEmpty(states);
        Assert.All(states, s => Assert.DoesNotContain("jo@example.org", s, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(states, s => s.Contains(ErasureBeyondTheRecords.RemovedError, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Erasure_deletes_the_donors_mail_files_from_a_development_pickup_folder()
    {
        await DonorData.SeedAsync(App);
        var folder = Directory.CreateTempSubdirectory("solidarity-erasure-mail-").FullName;
        try
        {
            foreach (var (name, to) in new[] { ("jo.eml", DonorData.JoEmail), ("JO-upper.eml", DonorData.JoEmail.ToUpperInvariant()), ("sam.eml", DonorData.SamEmail) })
            {
                var message = new MimeKit.MimeMessage { Subject = "Your receipt" };
                message.From.Add(new MimeKit.MailboxAddress("Solidarity", "receipts@example.org"));
                message.To.Add(new MimeKit.MailboxAddress("", to));
                message.Body = new MimeKit.TextPart("plain") { Text = "Thank you." };
                await message.WriteToAsync(Path.Combine(folder, name));
            }

            await using var site = App.WithWebHostBuilder(b => b.UseSetting("Smtp:PickupDirectory", folder));
            await using var scope = site.Services.CreateAsyncScope();
            var (_, files) = await scope.ServiceProvider.GetRequiredService<ErasureBeyondTheRecords>()
                .EraseAsync(DonorData.JoEmail.ToLowerInvariant(), [], CancellationToken.None);

            Assert.Equal(2, files);
            Assert.Equal(["sam.eml"], Directory.EnumerateFiles(folder).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_failed_receipt_email_gives_the_jobs_store_no_word_of_what_the_mail_server_said()
    {
        var cause = new InvalidOperationException("5.1.1 <jo@example.org>: mailbox unavailable");

        var thrown = new Solidarity.Web.Infrastructure.Email.EmailNotSentException("receipt:123", cause);

        Assert.DoesNotContain("jo@example.org", thrown.ToString(), StringComparison.Ordinal);
        Assert.Contains("receipt:123", thrown.Message, StringComparison.Ordinal);
    }

    private const string PrivateReason = "Bounced: J Bloggs account closed, Lloyds 30-94-57";

    private const string PrivateRejection = "Gives Jo's mobile number, 07700 900123";

    private static readonly System.Security.Claims.ClaimsPrincipal Admin = new(new System.Security.Claims.ClaimsIdentity(
        [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Email, "admin@example.org")], "test"));

    /// <summary>Every ledger note and audit entry's details: the rows no one may edit.</summary>
    private Task<List<string>> AppendOnlyTextsAsync() => App.WithDbAsync(async db =>
        (await db.LedgerEntries.AsNoTracking().Where(e => e.Note != null).Select(e => e.Note!).ToListAsync())
            .Concat(await db.AuditEntries.AsNoTracking().Where(a => a.Details != null).Select(a => a.Details!).ToListAsync())
            .ToList());

    private Task<string?> RejectionReasonAsync(Guid messageId) =>
        App.WithDbAsync(db => db.SupportMessages.Where(m => m.Id == messageId).Select(m => m.RejectionReason).SingleAsync());

    private async Task EraseJoAsync()
    {
        await using var scope = App.Scope();
        var (admin, _) = await SignIn.AsAdminAsync(App);
        admin.Dispose();
        var outcome = await scope.ServiceProvider.GetRequiredService<DonorErasure>()
            .EraseAsync(Admin, DonorData.JoEmail, "Asked in writing", keepOrganisationName: false, CancellationToken.None);
        Assert.IsType<ErasureOutcome.Erased>(outcome);
    }
}
