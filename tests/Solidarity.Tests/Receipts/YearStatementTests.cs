using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;
using Solidarity.Core.Data;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Core.Receipts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Ledger;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Tests.Receipts;

/// <summary>A donor's statement of a year's giving: asked for at /receipts/statement, emailed as a link, made from the receipts and credit notes.</summary>
public sealed partial class YearStatementTests(JobsSiteFixture fixture) : ReceiptsTest(fixture)
{
    [Theory]
    [InlineData(30 * 24, "30 days")]
    [InlineData(24, "1 day")]
    [InlineData(12, "12 hours")]
    public void The_answer_says_how_long_the_emailed_link_works_as_configured(int hours, string lasting) =>
        Assert.EndsWith($"The link in the email works for {lasting}.", StatementModel.SentMessage(2026, TimeSpan.FromHours(hours)), StringComparison.Ordinal);

    /// <summary>Early January 2027 in London, when last year's statements are asked for.</summary>
    private static readonly DateTimeOffset Now = new(2027, 1, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_statement_lists_every_receipt_and_credit_note_of_the_London_year_and_the_net_total_to_the_penny()
    {
        App.Clock.Now = Now;
        var january = await AddDonationAsync(email: "jo@example.org", amountPence: 2_500, paidAt: new(2026, 1, 31, 23, 30, 0, TimeSpan.Zero));
        var june = await AddDonationAsync(
            email: "Jo@Example.ORG", amountPence: 1_000, feeCoverPence: 36, organisation: "Momentum South Birmingham", paidAt: new(2026, 6, 15, 9, 0, 0, TimeSpan.Zero));
        var newYearsEve = await AddDonationAsync(email: "jo@example.org", amountPence: 5_000, paidAt: new(2026, 12, 31, 23, 59, 0, TimeSpan.Zero));

        // 1 January 2026, 00:30 in London is still 2026 there; 1 January 2027, 00:00:30 UTC is 2027.
        var newYear = await AddDonationAsync(email: "jo@example.org", amountPence: 700, paidAt: new(2027, 1, 1, 0, 0, 30, TimeSpan.Zero));
        var lastYear = await AddDonationAsync(email: "jo@example.org", amountPence: 800, paidAt: new(2025, 12, 31, 23, 0, 0, TimeSpan.Zero));
        var someoneElse = await AddDonationAsync(email: "sam@example.org", amountPence: 900, paidAt: new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        foreach (var donation in new[] { january, june, newYearsEve, newYear, lastYear, someoneElse })
        {
            await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));
        }

        await RefundAsync(newYearsEve, "re_partial", 1_234);
        await RefundAsync(june, "re_whole", 1_036);
        var documents = await ReceiptsAsync();

        var pdf = await StatementPdfAsync(" JO@example.org", 2026);
        var text = string.Join('\n', PdfTextReader.AllPieces(pdf));

        foreach (var included in new[] { january, june, newYearsEve })
        {
            Assert.Contains(ReceiptOf(documents, included).Number, text, StringComparison.Ordinal);
        }

        foreach (var excluded in new[] { newYear, lastYear, someoneElse })
        {
            Assert.DoesNotContain(ReceiptOf(documents, excluded).Number, text, StringComparison.Ordinal);
        }

        var creditNotes = documents.Where(r => r.Kind == ReceiptKind.CreditNote).ToList();
        Assert.Equal(2, creditNotes.Count);
        foreach (var note in creditNotes)
        {
            var credited = documents.Single(r => r.Id == note.OriginalReceiptId).Number;
            // A row's value wraps where it must: any white space between its words.
            Assert.Matches($@"{Regex.Escape(Money(note.AmountPence))},\s+credit note\s+{Regex.Escape(note.Number)},\s+credits receipt\s+{Regex.Escape(credited)}", text);
        }

        // £25.00 + £10.36 + £50.00 given, £12.34 and £10.36 credited back.
        Assert.Equal("£62.66", After(text, "Net total"));
        Assert.Equal("£85.36", After(text, "Given"));
        Assert.Equal("£22.70", After(text, "Credited back"));
        Assert.Contains("Momentum South Birmingham", text, StringComparison.Ordinal);
        Assert.Contains("Jo Bloggs", text, StringComparison.Ordinal);
        Assert.Contains("31 January 2026", text, StringComparison.Ordinal);
        Assert.Contains("31 December 2026", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_credit_note_whose_refund_then_failed_is_listed_as_issued_and_credits_nothing_so_the_net_total_is_the_ledgers()
    {
        var (kept, refunded) = await JosTwoGiftsAsync();
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(kept.Id, CancellationToken.None));
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(refunded.Id, CancellationToken.None));
        await RefundAsync(refunded, "re_failed_later", 1_500);
        await RefundAsync(refunded, "re_kept", 1_000);
        await RefundFailedAsync(refunded, "re_failed_later");

        var documents = await ReceiptsAsync();
        var failedNote = documents.Single(r => r.RefundKey == "re_failed_later");
        var keptNote = documents.Single(r => r.RefundKey == "re_kept");
        var text = string.Join('\n', PdfTextReader.AllPieces(await StatementPdfAsync("jo@example.org", 2026)));

        // Both notes are listed as issued; only the one whose refund went through is credited back.
        var words = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var receipt = ReceiptOf(documents, refunded).Number;
        Assert.Contains($"credit note {failedNote.Number}, credits receipt {receipt}. {YearStatementDocument.RefundFailedNote}", words, StringComparison.Ordinal);
        Assert.Contains($"credit note {keptNote.Number}, credits receipt {receipt}", words, StringComparison.Ordinal);
        Assert.DoesNotContain($"credit note {keptNote.Number}, credits receipt {receipt}. {YearStatementDocument.RefundFailedNote}", words, StringComparison.Ordinal);
        Assert.Equal("£75.00", After(text, "Given"));
        Assert.Equal("£10.00", After(text, "Credited back"));
        Assert.Equal("£65.00", After(text, "Net total"));

        // The refunded gift's net of £40.00 is what the ledger holds for it (the kept gift is only receipted here, not posted).
        var ledger = await App.WithDbAsync(db => db.LedgerEntries
            .Where(e => e.DonationId == refunded.Id && e.Kind != LedgerEntryKind.ProcessingFee).SumAsync(e => e.AmountPence));
        Assert.Equal(4_000, ledger);
    }

    [Fact]
    public async Task A_gift_lost_to_a_chargeback_is_taken_off_the_net_total_as_the_ledger_takes_it_and_one_won_back_is_not()
    {
        var (lost, wonBack) = await JosTwoGiftsAsync();
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(lost.Id, CancellationToken.None));
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(wonBack.Id, CancellationToken.None));
        await ChargebackAsync(lost, "du_lost", reversed: false);
        await ChargebackAsync(wonBack, "du_won", reversed: true);

        var text = string.Join('\n', PdfTextReader.AllPieces(await StatementPdfAsync("jo@example.org", 2026)));

        var words = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"£25.00 of the gift of receipt {ReceiptOf(await ReceiptsAsync(), lost).Number}, returned to you by your bank (a chargeback)", words, StringComparison.Ordinal);
        Assert.DoesNotContain(ReceiptOf(await ReceiptsAsync(), wonBack).Number + ", returned", words, StringComparison.Ordinal);
        Assert.Equal("£75.00", After(text, "Given"));
        Assert.Equal("£0.00", After(text, "Credited back"));
        Assert.Equal("£25.00", After(text, "Taken back by your bank"));
        Assert.Equal("£50.00", After(text, "Net total"));

        var ledger = await App.WithDbAsync(db => db.LedgerEntries
            .Where(e => e.DonationId == lost.Id || e.DonationId == wonBack.Id)
            .Where(e => e.Kind != LedgerEntryKind.ProcessingFee && e.Kind != LedgerEntryKind.ChargebackFee)
            .SumAsync(e => e.AmountPence));
        Assert.Equal(5_000, ledger);
    }

    [Fact]
    public async Task A_chargeback_the_bank_has_not_decided_yet_is_said_to_be_held_back_not_returned()
    {
        var (disputed, _) = await JosTwoGiftsAsync();
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(disputed.Id, CancellationToken.None));
        await ChargebackAsync(disputed, "du_open", reversed: false, closed: false);

        var text = string.Join('\n', PdfTextReader.AllPieces(await StatementPdfAsync("jo@example.org", 2026)));

        var words = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(
            $"£25.00 of the gift of receipt {ReceiptOf(await ReceiptsAsync(), disputed).Number}, disputed through your bank and held back while the dispute is decided",
            words, StringComparison.Ordinal);
        Assert.DoesNotContain("returned to you by your bank", words, StringComparison.Ordinal);

        // The net total is still what the ledger holds: Stripe took the money back when the dispute opened.
        Assert.Equal("£25.00", After(text, "Taken back by your bank"));
    }

    [Fact]
    public async Task A_gift_reversed_before_its_receipt_was_issued_is_left_out_so_the_net_total_is_what_the_ledger_holds()
    {
        var (kept, bounced) = await JosTwoGiftsAsync();
        var reversedLater = await AddDonationAsync(email: "jo@example.org", amountPence: 700, paidAt: new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(kept.Id, CancellationToken.None));
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(reversedLater.Id, CancellationToken.None));
        await ReverseAsync(bounced);
        await ReverseAsync(reversedLater);

        // The bounced gift's receipt job then issues nothing: it was never receipted, and no credit note answers it.
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(bounced.Id, CancellationToken.None));
        var text = string.Join('\n', PdfTextReader.AllPieces(await StatementPdfAsync("jo@example.org", 2026)));

        Assert.DoesNotContain("£50.00", text, StringComparison.Ordinal);
        Assert.Contains(ReceiptOf(await ReceiptsAsync(), reversedLater).Number, text, StringComparison.Ordinal);
        Assert.Equal("£32.00", After(text, "Given"));
    }

    [Fact]
    public async Task A_gift_reversed_before_its_receipt_after_the_statement_was_asked_for_is_left_out_of_it_too()
    {
        var (kept, bounced) = await JosTwoGiftsAsync();
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(kept.Id, CancellationToken.None));

        // The statement is asked for while the cheque is still paid and its receipt on its way; the cheque then bounces.
        var link = await EmailedLinkAsync("jo@example.org", 2026);
        await ReverseAsync(bounced);
        using var client = NewClient();
        var text = string.Join('\n', PdfTextReader.AllPieces(await client.GetByteArrayAsync(link)));

        Assert.DoesNotContain("£50.00", text, StringComparison.Ordinal);
        Assert.Equal("£25.00", After(text, "Given"));
    }

    [Fact]
    public async Task Known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_an_email()
    {
        App.Clock.Now = Now;
        await AddDonationAsync(email: "jo@example.org", paidAt: new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        using var client = NewClient();

        var known = await AskAsync(client, "jo@example.org", "2026");
        var unknown = await AskAsync(client, "nobody@example.org", "2026");

        Assert.Equal((HttpStatusCode.OK, StatementModel.SentMessage(2026, TimeSpan.FromDays(30))), (known.Status, known.Answer));
        Assert.Equal((unknown.Status, unknown.Answer), (known.Status, known.Answer));
        await SendQueuedAsync();
        var message = Assert.Single(Smtp.Messages);
        Assert.Equal("jo@example.org", Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal("Your statement of giving for 2026", message.Subject);
    }

    [Fact]
    public async Task Past_three_requests_a_day_for_an_address_the_page_answers_429_in_words_and_keeps_what_was_typed()
    {
        App.Clock.Now = Now;
        using var client = NewClient();
        for (var i = 0; i < YearStatements.PerAddressPerDay; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await AskAsync(client, "jo@example.org", "2026")).Status);
        }

        var refused = await AskAsync(client, "JO@example.org", "2025");
        var other = await AskAsync(client, "sam@example.org", "2026");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);

        // Four counted today, the refused one too: tomorrow's first request is allowed once half of today's weight has gone.
        Assert.Equal(StatementModel.TooManyMessage(new DateTimeOffset(2027, 1, 6, 12, 0, 0, TimeSpan.Zero)), refused.Answer);
        Assert.Contains("Try again after 12:00 on Wednesday 6 January", refused.Answer, StringComparison.Ordinal);
        Assert.Equal("JO@example.org", refused.Page.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("#statement-email")!.Value);
        Assert.Equal("2025", refused.Page.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("#statement-year")!.Value);
        Assert.Equal(HttpStatusCode.OK, other.Status);
    }

    [Fact]
    public async Task Past_ten_requests_a_day_from_one_client_the_page_answers_429()
    {
        App.Clock.Now = Now;
        using var client = NewClient();
        for (var i = 0; i < YearStatements.PerClientPerDay; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await AskAsync(client, $"person{i}@example.org", "2026")).Status);
        }

        var refused = await AskAsync(client, "one-more@example.org", "2026");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.StartsWith("There have been too many requests", refused.Answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "2026", "Enter your email address.")]
    [InlineData("jo@example", "2026", "Enter the email address you gave with, like name@example.org.")]
    [InlineData("Jo <jo@example.org>", "2026", "Enter the email address you gave with, like name@example.org.")]
    [InlineData("jo@example.org", "", "Enter the year, like 2026.")]
    [InlineData("jo@example.org", "last year", "Enter a year from 2000 to 2027, as four digits.")]
    [InlineData("jo@example.org", "1999", "Enter a year from 2000 to 2027, as four digits.")]
    [InlineData("jo@example.org", "2028", "Enter a year from 2000 to 2027, as four digits.")]
    [InlineData("jo@example.org", "02026", "Enter a year from 2000 to 2027, as four digits.")]
    public async Task A_bad_address_or_year_gets_a_clear_error_and_nothing_is_sent(string email, string year, string error)
    {
        App.Clock.Now = Now;
        await AddDonationAsync(email: "jo@example.org", paidAt: new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        using var client = NewClient();

        var answer = await AskAsync(client, email, year);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(error, answer.Answer);
        Assert.Equal(email, answer.Page.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("#statement-email")!.Value);
        Assert.False(await App.WithDbAsync(db => db.YearStatements.AnyAsync()));
        Assert.False(await App.WithDbAsync(db => db.ThrottleCounters.AnyAsync()));
    }

    [Fact]
    public async Task The_email_job_run_twice_sends_one_email_and_the_same_request_twice_in_a_day_queues_one()
    {
        App.Clock.Now = Now;
        await AddDonationAsync(email: "jo@example.org", paidAt: new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        using var client = NewClient();
        await AskAsync(client, "jo@example.org", "2026");
        await AskAsync(client, "Jo@Example.org", "2026");

        var statement = Assert.Single(await App.WithDbAsync(db => db.YearStatements.ToListAsync()));
        await RunAsync<SendYearStatementJob>(job => job.RunAsync(statement.Id, CancellationToken.None));
        await RunAsync<SendYearStatementJob>(job => job.RunAsync(statement.Id, CancellationToken.None));

        Assert.Single(Smtp.Messages);
        var delivery = await App.WithDbAsync(db => db.EmailDeliveries.SingleAsync());
        Assert.Equal((SendYearStatementJob.DeliveryKey(statement.Id), 1), (delivery.Key, delivery.Attempts));
        Assert.NotNull(delivery.SentAt);
    }

    [Fact]
    public async Task An_erased_donor_gets_no_email_and_their_old_link_answers_410_in_words()
    {
        App.Clock.Now = Now;
        var gift = await AddDonationAsync(email: "jo@example.org", paidAt: new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(gift.Id, CancellationToken.None));
        var link = await EmailedLinkAsync("jo@example.org", 2026);
        using var client = NewClient();
        using (var before = await client.GetAsync(link))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using (var asked = NewClient())
        {
            await AskAsync(asked, "jo@example.org", "2026");
        }

        var queued = await App.WithDbAsync(db => db.YearStatements.Where(s => s.Occasion != YearStatements.YearlyOccasion).Select(s => s.Id).SingleAsync());
        Smtp.Clear();

        await EraseAsync("jo@example.org");
        await RunAsync<SendYearStatementJob>(job => job.RunAsync(queued, CancellationToken.None));

        Assert.Empty(Smtp.Messages);
        using (var after = await client.GetAsync(link))
        {
            Assert.Equal(HttpStatusCode.Gone, after.StatusCode);
            Assert.Equal(ReceiptEndpoints.StatementErased, await after.Content.ReadAsStringAsync());
        }

        Assert.False(await QueueAsync("jo@example.org", 2026));
        Assert.DoesNotContain(await App.WithDbAsync(db => db.YearStatements.Select(s => s.AddressKey).ToListAsync()), key => key is not null);
    }

    [Fact]
    public async Task A_bad_or_expired_link_answers_404_in_words()
    {
        App.Clock.Now = Now;
        await AddDonationAsync(email: "jo@example.org", paidAt: new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var link = await EmailedLinkAsync("jo@example.org", 2026);
        using var client = NewClient();

        App.Clock.Now = Now.AddDays(30).AddMinutes(1);
        using var expired = await client.GetAsync(link);
        using var bad = await client.GetAsync(YearStatements.Path + "/not-a-link");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (expired.StatusCode, bad.StatusCode));
        Assert.Equal(ReceiptEndpoints.StatementNotFound, await expired.Content.ReadAsStringAsync());
        Assert.Equal(ReceiptEndpoints.StatementNotFound, await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_request_logs_never_hold_a_statement_link_even_when_every_category_is_turned_up()
    {
        App.Clock.Now = Now;
        await AddDonationAsync(email: "jo@example.org", paidAt: new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var link = await EmailedLinkAsync("jo@example.org", 2026);
        var token = link[(link.LastIndexOf('/') + 1)..];
        using var logs = new Infrastructure.CapturedLogs();
        await using var site = App.WithWebHostBuilder(b => b
            .UseSetting("Logging:LogLevel:Default", "Trace")
            .UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Trace")
            .ConfigureLogging(logging => logging.AddProvider(logs)));
        using var client = site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using (var statement = await client.GetAsync(link))
        {
            Assert.Equal(HttpStatusCode.OK, statement.StatusCode);
        }

        using (await client.GetAsync(link + "x?from=email"))
        {
        }

        Assert.NotEmpty(logs.Entries);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_yearly_mailing_writes_once_to_each_monthly_giver_of_the_year()
    {
        App.Clock.Now = new(2027, 1, 2, 6, 0, 0, TimeSpan.Zero);
        await AddMonthlyPaymentAsync("monthly@example.org", new(2026, 2, 1, 12, 0, 0, TimeSpan.Zero));
        await AddMonthlyPaymentAsync("Monthly@Example.org", new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

        // 31 December 2026 23:30 UTC is still 2026 in London; 31 December 2025 23:30 UTC was 2025 there.
        await AddMonthlyPaymentAsync("new-year@example.org", new(2026, 12, 31, 23, 30, 0, TimeSpan.Zero));
        await AddMonthlyPaymentAsync("last-year@example.org", new(2025, 12, 31, 23, 30, 0, TimeSpan.Zero));

        // One-off gifts, however many months they span, are not a monthly giver's.
        await AddDonationAsync(email: "one-off@example.org", paidAt: new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await AddDonationAsync(email: "one-off@example.org", paidAt: new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));

        await RunAsync<SendYearStatementsJob>(job => job.RunAsync(CancellationToken.None));
        await RunAsync<SendYearStatementsJob>(job => job.RunAsync(CancellationToken.None));
        await SendQueuedAsync();

        Assert.Equal(
            ["monthly@example.org", "new-year@example.org"],
            Smtp.Messages.Select(m => m.To.Mailboxes.Single().Address.ToLowerInvariant()).Order(StringComparer.Ordinal));
        Assert.All(Smtp.Messages, m => Assert.Equal("Your statement of giving for 2026", m.Subject));
    }

    /// <summary>A month's payment of a monthly gift from <paramref name="email"/>, paid at <paramref name="paidAt"/>.</summary>
    private async Task AddMonthlyPaymentAsync(string email, DateTimeOffset paidAt)
    {
        var gift = new MonthlyGift
        {
            DisputeId = Dispute.Id, ChosenBranchId = Burton.Id, AmountPence = 500, DonorName = "Jo Bloggs", Email = email,
            Status = MonthlyGiftStatus.Active, CreatedAt = paidAt.AddMinutes(-5), UpdatedAt = paidAt,
        };
        await App.WithDbAsync(db =>
        {
            db.MonthlyGifts.Add(gift);
            return db.SaveChangesAsync();
        });
        var payment = await AddDonationAsync(email: email, amountPence: 500, paidAt: paidAt);
        await App.WithDbAsync(db => db.Donations.Where(d => d.Id == payment.Id).ExecuteUpdateAsync(d => d.SetProperty(x => x.MonthlyGiftId, gift.Id)));
    }

    /// <summary>Early January 2027: Jo's £25 of 1 March 2026, and £50 of 1 April 2026, neither receipted yet.</summary>
    private async Task<(Donation March, Donation April)> JosTwoGiftsAsync()
    {
        App.Clock.Now = Now;
        var march = await AddDonationAsync(email: "jo@example.org", amountPence: 2_500, paidAt: new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var april = await AddDonationAsync(email: "jo@example.org", amountPence: 5_000, paidAt: new(2026, 4, 1, 12, 0, 0, TimeSpan.Zero));
        return (march, april);
    }

    private HttpClient NewClient() => App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static async Task<(HttpStatusCode Status, string Answer, IDocument Page)> AskAsync(HttpClient client, string email, string year)
    {
        var form = await HtmlForm.GetAsync(client, YearStatements.Path);

        // Posted as typed: a browser's number field would not even send "last year".
        using var response = await client.PostAsync(YearStatements.Path, new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", form.Value("__RequestVerificationToken")),
            new("Input.Email", email),
            new("Input.Year", year),
        ]));
        var page = await HtmlForm.ParseAsync(response);
        var sent = page.QuerySelector("#statement-sent strong")?.TextContent.Trim();
        var errors = page.QuerySelectorAll("#statement-errors li").Select(e => e.TextContent.Trim()).ToList();
        return (response.StatusCode, sent ?? string.Join(" | ", errors), page);
    }

    private async Task<bool> QueueAsync(string email, int year)
    {
        await using var scope = App.Scope();
        return await scope.ServiceProvider.GetRequiredService<YearStatements>().SendAsync(email, year);
    }

    /// <summary>Runs the email job of every statement not yet sent, as a worker would.</summary>
    private async Task SendQueuedAsync()
    {
        var ids = await App.WithDbAsync(db => db.YearStatements.Select(s => s.Id).ToListAsync());
        foreach (var id in ids)
        {
            await RunAsync<SendYearStatementJob>(job => job.RunAsync(id, CancellationToken.None));
        }
    }

    /// <summary>The path of the link emailed for <paramref name="year"/>'s statement to <paramref name="email"/>.</summary>
    private async Task<string> EmailedLinkAsync(string email, int year)
    {
        Assert.True(await QueueAsync(email, year));
        await SendQueuedAsync();
        var message = Smtp.Messages.Last();
        var link = StatementLink().Match(message.TextBody ?? "").Value;
        Assert.StartsWith(JobsSiteApp.BaseUrl + YearStatements.Path + "/", link, StringComparison.Ordinal);
        return new Uri(link).PathAndQuery;
    }

    private async Task<byte[]> StatementPdfAsync(string email, int year)
    {
        var link = await EmailedLinkAsync(email, year);
        using var client = NewClient();
        using var response = await client.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>A refund of part or all of a gift, posted as the webhook posts it, and its credit note issued.</summary>
    private async Task RefundAsync(Donation donation, string refundId, long pence)
    {
        await using (var scope = App.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SolidarityDbContext>();
            var ledger = scope.ServiceProvider.GetRequiredService<LedgerPostings>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var locked = await LedgerLocks.DonationAsync(db, donation.Id, CancellationToken.None)
                ?? throw new InvalidOperationException("The donation is gone.");
            await ledger.PaymentConfirmedAsync(locked, null, donation.PaidAt!.Value, CancellationToken.None);
            await ledger.RefundAsync(locked, refundId, pence, donation.PaidAt.Value.AddDays(2), CancellationToken.None);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        await RunAsync<IssueCreditNoteJob>(job => job.RunAsync(donation.Id, refundId, CancellationToken.None));
    }

    /// <summary>
    /// A chargeback on the whole gift, posted as the webhook posts it; <paramref name="reversed"/>: then won back;
    /// <paramref name="closed"/>: Stripe has since said the dispute closed (its charge.dispute.closed recorded).
    /// </summary>
    private async Task ChargebackAsync(Donation donation, string disputeId, bool reversed, bool closed = true)
    {
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<SolidarityDbContext>();
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerPostings>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var locked = await LedgerLocks.DonationAsync(db, donation.Id, CancellationToken.None) ?? throw new InvalidOperationException("The donation is gone.");
        await ledger.PaymentConfirmedAsync(locked, null, donation.PaidAt!.Value, CancellationToken.None);
        Assert.True(await ledger.ChargebackAsync(locked, disputeId, donation.AmountPence, donation.PaidAt.Value.AddDays(10), CancellationToken.None));
        if (reversed)
        {
            await ledger.ChargebackReversedAsync(locked, disputeId, donation.PaidAt.Value.AddDays(40), CancellationToken.None);
        }

        if (closed)
        {
            db.StripeEvents.Add(new StripeEventRecord
            {
                EventId = $"evt_closed_{disputeId}", Type = "charge.dispute.closed", ObjectId = disputeId, DonationId = donation.Id,
                StripeCreatedAt = donation.PaidAt.Value.AddDays(50), ReceivedAt = donation.PaidAt.Value.AddDays(50), Outcome = "applied",
            });
        }

        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }

    /// <summary>Stripe's word that the refund failed after it was posted, as the webhook posts it: the money given back.</summary>
    private async Task RefundFailedAsync(Donation donation, string refundId)
    {
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<SolidarityDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var locked = await LedgerLocks.DonationAsync(db, donation.Id, CancellationToken.None) ?? throw new InvalidOperationException("The donation is gone.");
        Assert.True(await scope.ServiceProvider.GetRequiredService<LedgerPostings>()
            .RefundFailedAsync(locked, refundId, "lost_or_stolen_card", donation.PaidAt!.Value.AddDays(5), CancellationToken.None) > 0);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }

    /// <summary>The gift reversed as an admin reverses offline money recorded in error, or a cheque that bounced.</summary>
    private async Task ReverseAsync(Donation donation)
    {
        await using var scope = App.Scope();
        var db = scope.ServiceProvider.GetRequiredService<SolidarityDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var locked = await LedgerLocks.DonationAsync(db, donation.Id, CancellationToken.None)
            ?? throw new InvalidOperationException("The donation is gone.");
        await scope.ServiceProvider.GetRequiredService<LedgerPostings>().OfflineReversedAsync(locked, "The cheque bounced.", allowOverdraw: true, CancellationToken.None);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }

    private static Receipt ReceiptOf(IEnumerable<Receipt> documents, Donation donation) =>
        documents.Single(r => r.DonationId == donation.Id && r.Kind == ReceiptKind.Receipt);

    private static string Money(long pence) => new Solidarity.Core.Amounts.Money(pence, "GBP").Format();

    /// <summary>The piece of text drawn right after the label <paramref name="label"/> (its value in the row).</summary>
    private static string After(string text, string label)
    {
        var lines = text.Split('\n');
        var index = Array.IndexOf(lines, label);
        Assert.True(index >= 0 && index + 1 < lines.Length, $"No '{label}' row in the statement:\n{text}");
        return lines[index + 1];
    }

    [GeneratedRegex(@"http://\S+/receipts/statement/[A-Za-z0-9_-]+")]
    private static partial Regex StatementLink();
}
