using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Core.Receipts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Tests.Receipts;

public sealed class ReceiptIssuingTests(JobsSiteFixture fixture) : ReceiptsTest(fixture)
{
    [Fact]
    public async Task Receipt_pdf_states_number_date_donor_amount_method_dispute_branch_and_no_gift_aid()
    {
        App.Clock.Now = IssuedAt;
        var donation = await AddDonationAsync();

        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));

        var receipt = Assert.Single(await ReceiptsAsync());
        Assert.Equal("SOL-2017-000001", receipt.Number);
        Assert.Equal(ReceiptKind.Receipt, receipt.Kind);
        var text = PdfTextReader.Words(receipt.Pdf);
        Assert.Contains(JobsSiteApp.OrganisationName, text, StringComparison.Ordinal);
        Assert.Contains("Example Street", text, StringComparison.Ordinal);
        Assert.Contains("SOL-2017-000001", text, StringComparison.Ordinal);
        Assert.Contains("26 May 2017", text, StringComparison.Ordinal);
        Assert.Contains("Jo Bloggs", text, StringComparison.Ordinal);
        Assert.Contains("Gift £25.00", text, StringComparison.Ordinal);
        Assert.DoesNotContain("card fee", text, StringComparison.Ordinal);
        Assert.Contains("Card (online)", text, StringComparison.Ordinal);
        Assert.Contains("Argos warehouse strike", text, StringComparison.Ordinal);
        Assert.Contains("Burton on Trent branch (WM7680)", text, StringComparison.Ordinal);
        Assert.Contains(ReceiptDocument.NoGiftAid, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receipt_with_the_fee_covered_itemises_the_gift_the_cover_and_the_total_charged()
    {
        // £25 grossed up at 1.5% + 20p: Stripe's estimated fee on £25.59 is 39p + 20p, which leaves the £25.
        var donation = await AddDonationAsync(feeCoverPence: 59);

        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));

        var receipt = Assert.Single(await ReceiptsAsync());
        Assert.Equal(2_559, receipt.AmountPence);
        var text = PdfTextReader.Words(receipt.Pdf);
        Assert.Contains("Gift £25.00", text, StringComparison.Ordinal);
        Assert.Contains("Covering the card fee £0.59", text, StringComparison.Ordinal);
        Assert.Contains("Total charged £25.59", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refund_of_the_whole_charge_credits_the_whole_charged_total_and_says_so()
    {
        var donation = await AddDonationAsync(feeCoverPence: 59);
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));
        await PostRefundAsync(donation, "re_whole", 2_559);

        await RunAsync<IssueCreditNoteJob>(job => job.RunAsync(donation.Id, "re_whole", CancellationToken.None));

        var creditNote = Assert.Single(await ReceiptsAsync(), r => r.Kind == ReceiptKind.CreditNote);
        Assert.Equal(2_559, creditNote.AmountPence);
        var text = PdfTextReader.Words(creditNote.Pdf);
        Assert.Contains("Amount refunded £25.59", text, StringComparison.Ordinal);
        Assert.Contains("Gift £25.00", text, StringComparison.Ordinal);
        Assert.Contains("Covering the card fee £0.59", text, StringComparison.Ordinal);
        Assert.Contains("Total charged £25.59", text, StringComparison.Ordinal);
        Assert.Contains("refund of the whole charge, including the card fee the donor covered", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receipt_for_an_organisation_names_it_and_lists_each_branch_share()
    {
        var donation = await AddDonationAsync(amountPence: 10_000, organisation: "Momentum South Birmingham", split: true);

        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));

        var text = PdfTextReader.Words(Assert.Single(await ReceiptsAsync()).Pdf);
        Assert.Contains("Momentum South Birmingham", text, StringComparison.Ordinal);
        Assert.Contains("Burton on Trent branch (WM7680): £60.00", text, StringComparison.Ordinal);
        Assert.Contains("Castleford branch (YH0001): £40.00", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issuing_twice_gives_one_number_one_pdf_and_one_email()
    {
        var donation = await AddDonationAsync();

        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));
        var first = Assert.Single(await ReceiptsAsync());
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));
        await RunAsync<SendReceiptEmailJob>(job => job.RunAsync(first.Id, CancellationToken.None));
        await RunAsync<SendReceiptEmailJob>(job => job.RunAsync(first.Id, CancellationToken.None));
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));

        var again = Assert.Single(await ReceiptsAsync());
        Assert.Equal(first.Number, again.Number);
        Assert.Equal(first.Pdf, again.Pdf);
        Assert.Single(Smtp.Messages);
        Assert.Equal(2, await App.WithDbAsync(db => db.ReceiptCounters.Select(c => c.Next).SingleAsync()));
    }

    [Fact]
    public async Task Unpaid_donation_gets_no_receipt_and_no_number()
    {
        var donation = await AddDonationAsync(status: DonationStatus.Pending);

        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));

        Assert.Empty(await ReceiptsAsync());
        Assert.Equal(0, await App.WithDbAsync(db => db.ReceiptCounters.CountAsync()));
    }

    [Fact]
    public async Task Donation_without_email_gets_a_receipt_and_no_email_is_attempted()
    {
        var donation = await AddDonationAsync(email: null);

        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));

        Assert.Single(await ReceiptsAsync());
        Assert.Equal(0, await App.WithDbAsync(db => db.EmailDeliveries.CountAsync()));
        var monitoring = App.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        Assert.Equal(0, monitoring.EnqueuedCount("default"));
        Assert.Empty(Smtp.Messages);
    }

    [Fact]
    public async Task Refund_gets_a_credit_note_that_refers_to_the_receipt_which_stays_unchanged()
    {
        App.Clock.Now = IssuedAt;
        var donation = await AddDonationAsync();
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));
        var receipt = Assert.Single(await ReceiptsAsync());
        await PostRefundAsync(donation, "re_partial_1", 1_000);
        await PostRefundAsync(donation, "re_partial_2", 1_500);
        App.Clock.Now = PaidAt.AddDays(3).AddHours(1);

        await RunAsync<IssueCreditNoteJob>(job => job.RunAsync(donation.Id, "re_partial_1", CancellationToken.None));
        await RunAsync<IssueCreditNoteJob>(job => job.RunAsync(donation.Id, "re_partial_1", CancellationToken.None));
        await RunAsync<IssueCreditNoteJob>(job => job.RunAsync(donation.Id, "re_partial_2", CancellationToken.None));

        var documents = await ReceiptsAsync();
        Assert.Equal(["SOL-2017-000001", "SOL-CN-2017-000001", "SOL-CN-2017-000002"], documents.Select(d => d.Number));
        Assert.Equal(receipt.Pdf, documents[0].Pdf);
        var first = documents[1];
        Assert.Equal(ReceiptKind.CreditNote, first.Kind);
        Assert.Equal(receipt.Id, first.OriginalReceiptId);
        Assert.Equal(1_000, first.AmountPence);
        var text = PdfTextReader.Words(first.Pdf);
        Assert.Contains("Credit note SOL-CN-2017-000001", text, StringComparison.Ordinal);
        Assert.Contains("SOL-2017-000001", text, StringComparison.Ordinal);
        Assert.Contains("£10.00", text, StringComparison.Ordinal);
        Assert.Contains("Jo Bloggs", text, StringComparison.Ordinal);
        Assert.Contains("£15.00", PdfTextReader.Words(documents[2].Pdf), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credit_note_waits_for_the_receipt_it_refers_to()
    {
        var donation = await AddDonationAsync();
        await PostRefundAsync(donation, "re_early", 2_500);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RunAsync<IssueCreditNoteJob>(job => job.RunAsync(donation.Id, "re_early", CancellationToken.None)));

        Assert.Empty(await ReceiptsAsync());
        Assert.Equal(0, await App.WithDbAsync(db => db.ReceiptCounters.CountAsync()));
    }

    private async Task PostRefundAsync(Donation donation, string refundId, long pence)
    {
        await App.WithDbAsync(db =>
        {
            db.LedgerEntries.Add(new LedgerEntry
            {
                DisputeId = Dispute.Id, BranchId = Burton.Id, Kind = LedgerEntryKind.Refund, AmountPence = -pence,
                Key = $"refund:{refundId}:{Burton.Id}", DonationId = donation.Id, StripeObjectId = refundId,
                OccurredAt = PaidAt.AddDays(3), RecordedAt = PaidAt.AddDays(3),
            });
            return db.SaveChangesAsync();
        });
    }
}
