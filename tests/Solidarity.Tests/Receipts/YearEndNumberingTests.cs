using System.Net;
using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Core.Receipts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Tests.Receipts;

/// <summary>
/// A year's series is closed once the year is over: documents issued after it take numbers of the new year,
/// whenever the money they record was received or refunded.
/// </summary>
public sealed class YearEndNumberingTests(JobsSiteFixture fixture) : ReceiptsTest(fixture)
{
    [Fact]
    public async Task Cheque_received_in_december_and_recorded_in_january_takes_a_number_of_the_new_year()
    {
        App.Clock.Now = London(2026, 12, 30, 10);
        using var treasurer = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;
        var december = await RecordChequeAsync(treasurer, "2026-12-30", "Cheque 000101");
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(december, CancellationToken.None));

        // Days later, past any session: another admin on duty records the next.
        App.Clock.Now = London(2027, 1, 3, 10);
        using var bookkeeper = (await SignIn.AsAdminAsync(App, "bookkeeper@example.org")).Client;
        var backDated = await RecordChequeAsync(bookkeeper, "2026-12-28", "Cheque 000102");
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(backDated, CancellationToken.None));

        var receipts = await ReceiptsAsync();
        Assert.Equal(["SOL-2026-000001", "SOL-2027-000001"], receipts.Select(r => r.Number));
        Assert.Equal(backDated, receipts[1].DonationId);
        Assert.Contains("Date Received 28 December 2026; recorded 3 January 2027", PdfTextReader.Words(receipts[1].Pdf), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Card_payment_just_before_new_year_whose_receipt_is_issued_after_it_says_when_it_was_issued()
    {
        var donation = await AddDonationAsync(paidAt: London(2026, 12, 31, 23).AddMinutes(58));
        App.Clock.Now = London(2027, 1, 1, 0).AddMinutes(15);

        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));

        var receipt = Assert.Single(await ReceiptsAsync());
        Assert.Equal("SOL-2027-000001", receipt.Number);
        Assert.Contains("Date Received 31 December 2026; issued 1 January 2027", PdfTextReader.Words(receipt.Pdf), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Money_received_and_recorded_on_the_same_day_shows_one_date()
    {
        App.Clock.Now = London(2026, 12, 30, 10);
        using var admin = (await SignIn.AsAdminAsync(App, "treasurer@example.org")).Client;
        var donationId = await RecordChequeAsync(admin, "2026-12-30", "Cheque 000101");

        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donationId, CancellationToken.None));

        var text = PdfTextReader.Words(Assert.Single(await ReceiptsAsync()).Pdf);
        Assert.Contains("Date 30 December 2026", text, StringComparison.Ordinal);
        Assert.DoesNotContain("recorded", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credit_note_for_a_refund_made_in_december_and_issued_in_january_takes_a_number_of_the_new_year()
    {
        App.Clock.Now = London(2026, 12, 20, 12);
        var donation = await AddDonationAsync(paidAt: London(2026, 12, 20, 11));
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));
        await App.WithDbAsync(db =>
        {
            var refundedAt = London(2026, 12, 31, 23);
            db.LedgerEntries.Add(new LedgerEntry
            {
                DisputeId = Dispute.Id, BranchId = Burton.Id, Kind = LedgerEntryKind.Refund, AmountPence = -2_500,
                Key = $"refund:re_new_year:{Burton.Id}", DonationId = donation.Id, StripeObjectId = "re_new_year",
                OccurredAt = refundedAt, RecordedAt = refundedAt,
            });
            return db.SaveChangesAsync();
        });

        App.Clock.Now = London(2027, 1, 2, 9);
        await RunAsync<IssueCreditNoteJob>(job => job.RunAsync(donation.Id, "re_new_year", CancellationToken.None));

        var creditNote = Assert.Single(await ReceiptsAsync(), r => r.Kind == ReceiptKind.CreditNote);
        Assert.Equal("SOL-CN-2027-000001", creditNote.Number);
        Assert.Contains("Date Refunded 31 December 2026; issued 2 January 2027", PdfTextReader.Words(creditNote.Pdf), StringComparison.Ordinal);
    }

    private static DateTimeOffset London(int year, int month, int day, int hour) => LondonClock.FromLondon(new DateTime(year, month, day, hour, 0, 0));

    /// <summary>Records a £40 cheque from Jo Bloggs through the admin page; returns its donation's id.</summary>
    private async Task<Guid> RecordChequeAsync(HttpClient admin, string receivedOn, string reference)
    {
        using var recorded = await admin.PostFormAsync("/admin/money/offline", new Dictionary<string, string>
        {
            ["Input.Method"] = nameof(DonationMethod.Cheque),
            ["Input.DisputeId"] = Dispute.Id.ToString(),
            ["Input.BranchId"] = Burton.Id.ToString(),
            ["Input.ReceivedOn"] = receivedOn,
            ["Input.Amount"] = "40",
            ["Input.PayerName"] = "Jo Bloggs",
            ["Input.Reference"] = reference,
        });
        Assert.Equal(HttpStatusCode.Redirect, recorded.StatusCode);
        return await App.WithDbAsync(db => db.Donations.Where(d => d.Reference == reference).Select(d => d.Id).SingleAsync());
    }
}
