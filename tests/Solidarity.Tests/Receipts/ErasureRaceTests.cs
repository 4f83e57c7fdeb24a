using Microsoft.EntityFrameworkCore;
using Npgsql;
using Solidarity.Core.Ledger;
using Solidarity.Core.Messages;
using Solidarity.Core.Receipts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Admin.Donors;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Tests.Receipts;

/// <summary>
/// A donor erased while their receipt or credit note is being issued: whichever goes first, no document is left stored
/// with their name. Each test holds a row that one side needs, so the other side is sure to arrive while it waits.
/// </summary>
public sealed class ErasureRaceTests(JobsSiteFixture fixture) : ReceiptsTest(fixture)
{
    private const string Email = "jo@example.org";
    private const string Name = "Jo Bloggs";

    [Theory]
    [InlineData("SOL")]
    [InlineData("SOL-CN")]
    public async Task Erasure_during_issuing_waits_and_then_renders_the_new_document_without_the_name(string series)
    {
        App.Clock.Now = IssuedAt;
        var donation = await AddDonationAsync(email: Email);
        var creditNote = series == "SOL-CN";
        if (creditNote)
        {
            await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));
            await PostRefundAsync(donation.Id, "re_race");
        }

        Func<Task> issue = creditNote
            ? () => RunAsync<IssueCreditNoteJob>(job => job.RunAsync(donation.Id, "re_race", CancellationToken.None))
            : () => RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));

        // The issuing job stops at taking its number, having read what it renders; the erasure starts meanwhile.
        await using var counter = await HoldAsync($"""SELECT 1 FROM "ReceiptCounters" WHERE "Series" = '{series}' AND "Year" = 2017 FOR UPDATE""",
            async db =>
            {
                db.ReceiptCounters.Add(new ReceiptCounter { Series = series, Year = 2017, Next = 1 });
                await db.SaveChangesAsync();
            });
        var issuing = Task.Run(issue);
        await WaitForWaitersAsync(1, issuing);
        var erasing = Task.Run(() => EraseAsync(Email));
        await WaitForWaitersAsync(2, erasing);
        await counter.ReleaseAsync();

        await issuing;
        Assert.IsType<ErasureOutcome.Erased>(await erasing);
        var documents = await ReceiptsAsync();
        Assert.Equal(creditNote ? 2 : 1, documents.Count);
        Assert.All(documents, d => Assert.DoesNotContain(Name, PdfTextReader.Words(d.Pdf), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Receipt_job_waits_for_an_erasure_in_progress_and_renders_no_name()
    {
        var donation = await AddDonationAsync(email: Email);
        var message = new SupportMessage
        {
            DisputeId = Dispute.Id, DonationId = donation.Id, AuthorName = Name, Body = "Stay strong", Status = ModerationStatus.Pending, CreatedAt = PaidAt,
        };

        // The erasure stops at clearing the donor's message, with the donor's donation already locked; the job starts meanwhile.
        await using var messageRow = await HoldAsync($"""SELECT 1 FROM "SupportMessages" WHERE "Id" = '{message.Id}' FOR UPDATE""",
            async db =>
            {
                db.SupportMessages.Add(message);
                await db.SaveChangesAsync();
            });
        var erasing = Task.Run(() => EraseAsync(Email));
        await WaitForWaitersAsync(1, erasing);
        var issuing = Task.Run(() => RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None)));
        await WaitForWaitersAsync(2, issuing);
        await messageRow.ReleaseAsync();

        var erased = Assert.IsType<ErasureOutcome.Erased>(await erasing);
        await issuing;

        // The job rendered the receipt after the erasure, from the erased donation: the erasure had none to render again.
        Assert.Equal(0, erased.Receipts);
        var text = PdfTextReader.Words(Assert.Single(await ReceiptsAsync()).Pdf);
        Assert.DoesNotContain(Name, text, StringComparison.Ordinal);
        Assert.Contains(ReceiptDocument.NameRemoved, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Reissued after erasure", text, StringComparison.Ordinal);
    }

    private Task PostRefundAsync(Guid donationId, string refundId) => App.WithDbAsync(async db =>
    {
        db.LedgerEntries.Add(new LedgerEntry
        {
            DisputeId = Dispute.Id, BranchId = Burton.Id, Kind = LedgerEntryKind.Refund, AmountPence = -2_500,
            Key = $"refund:{refundId}:{Burton.Id}", DonationId = donationId, StripeObjectId = refundId,
            OccurredAt = IssuedAt, RecordedAt = IssuedAt,
        });
        await db.SaveChangesAsync();
    });

    /// <summary>Arranges rows, then locks one of them in a transaction of the test's own until released.</summary>
    private async Task<HeldRow> HoldAsync(string lockSql, Func<Solidarity.Core.Data.SolidarityDbContext, Task> arrange)
    {
        await App.WithDbAsync(arrange);
        var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(lockSql, connection, transaction))
        {
            Assert.Equal(1, await command.ExecuteScalarAsync());
        }

        return new HeldRow(connection, transaction);
    }

    /// <summary>
    /// Waits until <paramref name="count"/> sessions wait for a lock, or <paramref name="task"/> has ended (then the
    /// lock it should have waited for was not taken: the test goes on, and fails on what was stored).
    /// </summary>
    private async Task WaitForWaitersAsync(int count, Task task)
    {
        await Eventually(async () => task.IsCompleted || (await LockWaits.StatementsAsync(App.ConnectionString)).Count >= count, $"{count} sessions to wait for a lock");
        if (task.IsFaulted)
        {
            await task;
        }
    }

    private sealed class HeldRow(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        private bool _released;

        public async Task ReleaseAsync()
        {
            if (!_released)
            {
                _released = true;
                await transaction.RollbackAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await ReleaseAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
