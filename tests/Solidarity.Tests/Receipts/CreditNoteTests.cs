using System.Net;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Core.Receipts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Admin.Donors;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Tests.Receipts;

/// <summary>Credit notes are owed for money given back: a refund that went through, or offline money reversed after its receipt.</summary>
public sealed class CreditNoteTests(JobsSiteFixture fixture) : ReceiptsTest(fixture)
{
    private const string OfflinePath = "/admin/money/offline";

    /// <summary>Words of the admin's reason that must stay in the books and off the donor's document.</summary>
    private const string PrivateReason = "Bounced: J Bloggs account closed, Lloyds 30-94-57";

    [Fact]
    public async Task Refund_that_failed_before_its_credit_note_was_issued_gets_none()
    {
        var donation = await AddDonationAsync();
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));
        await PostRefundAsync(donation, "re_failed", 2_500);
        await PostRefundFailedAsync(donation, "re_failed", 2_500);

        await RunAsync<IssueCreditNoteJob>(job => job.RunAsync(donation.Id, "re_failed", CancellationToken.None));

        Assert.DoesNotContain(await ReceiptsAsync(), r => r.Kind == ReceiptKind.CreditNote);
        Assert.False(await App.WithDbAsync(db => db.ReceiptCounters.AnyAsync(c => c.Series == "SOL-CN")));
    }

    [Fact]
    public async Task Credit_note_enqueued_with_its_receipt_waits_for_the_receipt_job()
    {
        var donation = await AddDonationAsync();
        await PostRefundAsync(donation, "re_with_receipt", 1_000);
        string receiptJob, creditNoteJob;
        await using (var scope = App.Scope())
        {
            var scheduler = scope.ServiceProvider.GetRequiredService<ReceiptScheduler>();
            receiptJob = scheduler.DonationConfirmed(donation.Id);
            creditNoteJob = scheduler.RefundRecorded(donation.Id, "re_with_receipt", afterJobId: receiptJob);
        }

        Assert.Empty(EnqueuedCreditNotes());
        var monitoring = App.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        Assert.Equal(AwaitingState.StateName, monitoring.JobDetails(creditNoteJob).History.First().StateName);
        Assert.Equal(EnqueuedState.StateName, monitoring.JobDetails(receiptJob).History.First().StateName);
    }

    [Fact]
    public async Task Credit_note_issued_before_the_refund_failed_stands()
    {
        var donation = await AddDonationAsync();
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));
        await PostRefundAsync(donation, "re_failed_later", 2_500);
        await RunAsync<IssueCreditNoteJob>(job => job.RunAsync(donation.Id, "re_failed_later", CancellationToken.None));
        var issued = Assert.Single(await ReceiptsAsync(), r => r.Kind == ReceiptKind.CreditNote);
        await PostRefundFailedAsync(donation, "re_failed_later", 2_500);

        await RunAsync<IssueCreditNoteJob>(job => job.RunAsync(donation.Id, "re_failed_later", CancellationToken.None));

        var creditNote = Assert.Single(await ReceiptsAsync(), r => r.Kind == ReceiptKind.CreditNote);
        Assert.Equal((issued.Id, issued.Number), (creditNote.Id, creditNote.Number));
        Assert.Equal(issued.Pdf, creditNote.Pdf);
    }

    [Fact]
    public async Task Missing_receipts_job_enqueues_no_credit_note_for_a_failed_refund()
    {
        var donation = await AddDonationAsync();
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));
        await PostRefundAsync(donation, "re_failed", 1_000);
        await PostRefundFailedAsync(donation, "re_failed", 1_000);
        await PostRefundAsync(donation, "re_went_through", 500);

        await RunAsync<IssueMissingReceiptsJob>(job => job.RunAsync(CancellationToken.None));

        Assert.Equal(["re_went_through"], EnqueuedCreditNotes().Select(j => j.Key));
    }

    [Fact]
    public async Task Reversed_cheque_gets_one_credit_note_against_its_receipt()
    {
        using var admin = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;
        using var server = Fixture.StartJobServer("reversal");
        var donationId = await RecordChequeAsync(admin);
        await Eventually(async () => (await ReceiptsAsync()).Count == 1, "the cheque's receipt");
        var receipt = Assert.Single(await ReceiptsAsync());

        using (var reversed = await admin.PostFormAsync(OfflinePath, [new("donationId", donationId.ToString()), new("reason", PrivateReason)], "Reverse"))
        {
            Assert.Equal(HttpStatusCode.Redirect, reversed.StatusCode);
        }

        await Eventually(async () => (await ReceiptsAsync()).Count == 2, "the credit note");
        var creditNote = Assert.Single(await ReceiptsAsync(), r => r.Kind == ReceiptKind.CreditNote);
        Assert.StartsWith("SOL-CN-", creditNote.Number, StringComparison.Ordinal);
        Assert.EndsWith("-000001", creditNote.Number, StringComparison.Ordinal);
        Assert.Equal((receipt.Id, 12_500L, CreditNoteKeys.OfflineReversal(donationId)), (creditNote.OriginalReceiptId!.Value, creditNote.AmountPence, creditNote.RefundKey));
        var text = PdfTextReader.Words(creditNote.Pdf);
        Assert.Contains($"Credit note {creditNote.Number}", text, StringComparison.Ordinal);
        Assert.Contains($"Refers to receipt {receipt.Number}", text, StringComparison.Ordinal);
        Assert.Contains("Amount reversed £125.00", text, StringComparison.Ordinal);
        Assert.Contains("Cheque returned unpaid, or entry corrected", text, StringComparison.Ordinal);
        Assert.Contains("payment was reversed", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Refunded to", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Bloggs account", text, StringComparison.Ordinal);

        await Eventually(() => Task.FromResult(Smtp.Messages.Count == 2), "the receipt's and the credit note's emails");
        var email = Assert.Single(Smtp.Messages, m => (m.Subject ?? "").Contains(creditNote.Number, StringComparison.Ordinal));
        Assert.Contains("your payment was reversed", email.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("refund", email.TextBody ?? "", StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Reversal_credit_note_rendered_again_after_erasure_still_records_a_reversal()
    {
        using var admin = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;
        var donationId = await RecordChequeAsync(admin);
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donationId, CancellationToken.None));
        (await admin.PostFormAsync(OfflinePath, [new("donationId", donationId.ToString()), new("reason", PrivateReason)], "Reverse")).Dispose();
        await RunAsync<IssueCreditNoteJob>(job => job.RunAsync(donationId, CreditNoteKeys.OfflineReversal(donationId), CancellationToken.None));
        var before = PdfTextReader.Words(Assert.Single(await ReceiptsAsync(), r => r.Kind == ReceiptKind.CreditNote).Pdf);

        Assert.IsType<ErasureOutcome.Erased>(await EraseAsync("jo@example.org"));

        var text = PdfTextReader.Words(Assert.Single(await ReceiptsAsync(), r => r.Kind == ReceiptKind.CreditNote).Pdf);
        Assert.DoesNotContain("Jo Bloggs", text, StringComparison.Ordinal);
        Assert.Contains("Amount reversed £125.00", text, StringComparison.Ordinal);
        Assert.Contains("Cheque returned unpaid, or entry corrected", text, StringComparison.Ordinal);
        Assert.Equal(DateLine(before), DateLine(text));
    }

    [Fact]
    public async Task Offline_money_reversed_before_its_receipt_was_issued_owes_no_credit_note()
    {
        using var admin = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;
        var donationId = await RecordChequeAsync(admin);
        (await admin.PostFormAsync(OfflinePath, [new("donationId", donationId.ToString()), new("reason", PrivateReason)], "Reverse")).Dispose();

        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donationId, CancellationToken.None));
        await RunAsync<IssueCreditNoteJob>(job => job.RunAsync(donationId, CreditNoteKeys.OfflineReversal(donationId), CancellationToken.None));

        Assert.Empty(await ReceiptsAsync());
        Assert.Equal(0, await App.WithDbAsync(db => db.ReceiptCounters.CountAsync()));
    }

    [Fact]
    public async Task Missing_receipts_job_finds_reversed_offline_money_with_a_receipt_but_no_credit_note()
    {
        var receipted = await AddOfflineDonationAsync();
        var neverReceipted = await AddOfflineDonationAsync();
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(receipted.Id, CancellationToken.None));
        await ReverseDirectlyAsync(receipted);
        await ReverseDirectlyAsync(neverReceipted);

        await RunAsync<IssueMissingReceiptsJob>(job => job.RunAsync(CancellationToken.None));

        var enqueued = Assert.Single(EnqueuedCreditNotes());
        Assert.Equal((receipted.Id, CreditNoteKeys.OfflineReversal(receipted.Id)), (enqueued.DonationId, enqueued.Key));
    }

    private static string DateLine(string text) =>
        System.Text.RegularExpressions.Regex.Match(text, @"Date \d{1,2} \w+ \d{4}").Value is { Length: > 0 } date
            ? date
            : throw new InvalidOperationException("The document has no date.");

    /// <summary>Records a £125 cheque from Jo Bloggs for the Burton branch through the admin page; returns its donation's id.</summary>
    private async Task<Guid> RecordChequeAsync(HttpClient admin)
    {
        using var recorded = await admin.PostFormAsync(OfflinePath, new Dictionary<string, string>
        {
            ["Input.Method"] = nameof(DonationMethod.Cheque),
            ["Input.DisputeId"] = Dispute.Id.ToString(),
            ["Input.BranchId"] = Burton.Id.ToString(),
            ["Input.ReceivedOn"] = "2017-05-26",
            ["Input.Amount"] = "125",
            ["Input.PayerName"] = "Jo Bloggs",
            ["Input.Email"] = "jo@example.org",
            ["Input.Reference"] = "Cheque 000123",
        });
        Assert.Equal(HttpStatusCode.Redirect, recorded.StatusCode);
        return await App.WithDbAsync(db => db.Donations.Select(d => d.Id).SingleAsync());
    }

    /// <summary>A cheque as the admin page records it, with its ledger entry; no receipt is enqueued.</summary>
    private async Task<Donation> AddOfflineDonationAsync()
    {
        var donation = new Donation
        {
            DisputeId = Dispute.Id, ChosenBranchId = Burton.Id, Method = DonationMethod.Cheque, Status = DonationStatus.Paid,
            AmountPence = 4_000, DonorName = "Jo Bloggs", CreatedAt = PaidAt, PaidAt = PaidAt,
        };
        donation.Allocations.Add(new DonationAllocation { BranchId = Burton.Id, AmountPence = 4_000 });
        await App.WithDbAsync(db =>
        {
            db.Donations.Add(donation);
            db.LedgerEntries.Add(Entry(donation, LedgerEntryKind.OfflineDonation, 4_000, $"donation:{donation.Id}:offline:{Burton.Id}", null));
            return db.SaveChangesAsync();
        });
        return donation;
    }

    /// <summary>As an admin's reversal leaves it, without the enqueue that follows its commit: as if the process had died.</summary>
    private Task ReverseDirectlyAsync(Donation donation) => App.WithDbAsync(async db =>
    {
        db.LedgerEntries.Add(Entry(donation, LedgerEntryKind.OfflineDonationReversed, -4_000, $"donation:{donation.Id}:offline-reversed:{Burton.Id}", null));
        await db.Donations.Where(d => d.Id == donation.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DonationStatus.Reversed));
        await db.SaveChangesAsync();
    });

    private Task PostRefundAsync(Donation donation, string refundId, long pence) =>
        AddEntryAsync(Entry(donation, LedgerEntryKind.Refund, -pence, $"refund:{refundId}:{Burton.Id}", refundId));

    /// <summary>What the ledger posts when Stripe reports the refund failed: the refund given back, under the same refund id.</summary>
    private Task PostRefundFailedAsync(Donation donation, string refundId, long pence) =>
        AddEntryAsync(Entry(donation, LedgerEntryKind.RefundReversed, pence, $"refund:{refundId}:reversed:{Burton.Id}", refundId));

    private Task AddEntryAsync(LedgerEntry entry) => App.WithDbAsync(async db =>
    {
        db.LedgerEntries.Add(entry);
        await db.SaveChangesAsync();
    });

    private LedgerEntry Entry(Donation donation, LedgerEntryKind kind, long pence, string key, string? stripeObjectId) => new()
    {
        DisputeId = Dispute.Id, BranchId = Burton.Id, Kind = kind, AmountPence = pence, Key = key, DonationId = donation.Id,
        StripeObjectId = stripeObjectId, OccurredAt = PaidAt.AddDays(3), RecordedAt = PaidAt.AddDays(3),
    };

    private List<(Guid DonationId, string Key)> EnqueuedCreditNotes() =>
        App.Services.GetRequiredService<JobStorage>().GetMonitoringApi().EnqueuedJobs("default", 0, 1_000)
            .Where(j => j.Value.Job.Type == typeof(IssueCreditNoteJob))
            .Select(j => ((Guid)j.Value.Job.Args[0], (string)j.Value.Job.Args[1]))
            .ToList();
}
