using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Ledger;
using Solidarity.Core.Messages;
using Solidarity.Core.Remittances;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Admin;
using Solidarity.Web.Pages.Ledger;
using Solidarity.Web.Pages.Remittances;
using RemittanceReferencesRepeatAcrossTransfers = Solidarity.Migrations.Migrations.RemittanceReferencesRepeatAcrossTransfers;

namespace Solidarity.Tests.Remittances;

/// <summary>Approving statements, recording the transfers that pay them, and the branch confirming them, through the pages.</summary>
public sealed class PaymentTests(JobsSiteFixture fixture) : RemittancesTest(fixture)
{
    private static readonly string Today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Second_admin_records_the_transfer_which_posts_a_remittance_and_the_officer_confirms_it_once()
    {
        var statementId = await StatementAsync();
        var (approver, _) = await SignIn.AsAdminAsync(App, "approver@example.org");
        var (payer, payerAccount) = await SignIn.AsAdminAsync(App, "payer@example.org");
        await ApproveAsync(approver, statementId);

        using var paid = await PayAsync(payer, statementId, "60.00", "BACS 0001");

        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        var payment = await App.WithDbAsync(db => db.RemittancePayments.SingleAsync());
        Assert.Equal(6_000, payment.AmountPence);
        Assert.Equal(payerAccount.Id, payment.RecordedByUserId);
        var remittance = Assert.Single(await App.WithDbAsync(db => db.LedgerEntries.Where(e => e.Kind == LedgerEntryKind.Remittance).ToListAsync()));
        Assert.Equal(-6_000, remittance.AmountPence);
        Assert.Equal(LedgerKeys.Remittance(payment.Id, DisputeId), remittance.Key);
        Assert.Equal(Burton, remittance.BranchId);
        Assert.Equal(10_000 - 170 - 6_000, await LedgerSumAsync(Burton));
        var audit = await App.WithDbAsync(db => db.AuditEntries.OrderBy(a => a.Id).Select(a => new { a.Action, a.UserName }).ToListAsync());
        Assert.Contains(audit, a => a.Action == AuditActions.StatementApproved && a.UserName == "approver@example.org");
        Assert.Contains(audit, a => a.Action == AuditActions.RemittanceRecorded && a.UserName == "payer@example.org");

        var (officer, officerAccount) = await OfficerAsync(Burton, "officer@example.org");
        var page = await HtmlForm.GetAsync(officer, $"/branch/statements/{statementId}", "form[action*='handler=Confirm']");
        using (var confirmed = await page.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        }

        var after = await App.WithDbAsync(db => db.RemittancePayments.SingleAsync());
        Assert.Equal(officerAccount.Id, after.ConfirmedByUserId);
        Assert.NotNull(after.ConfirmedAt);
        using (var again = await page.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        }

        Assert.Equal(after.ConfirmedAt, (await App.WithDbAsync(db => db.RemittancePayments.SingleAsync())).ConfirmedAt);
        Assert.Single(await App.WithDbAsync(db => db.AuditEntries.Where(a => a.Action == AuditActions.RemittanceConfirmed).ToListAsync()));

        var admin = await (await approver.GetAsync("/admin/remittances")).Content.ReadAsStringAsync();
        Assert.Contains("Confirmed by officer@example.org", admin, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("97.31", "BACS 0002", null, "more than this statement has left to pay (£97.30")]
    [InlineData("-5", "BACS 0003", null, "must be more than £0")]
    [InlineData("0", "BACS 0004", null, "must be more than £0")]
    [InlineData("12.345", "BACS 0005", null, "fractions of a penny")]
    [InlineData("", "BACS 0007", null, "Enter the amount in pounds, like 12.50.")]
    [InlineData("10", "BACS 0006", "2099-01-01", "cannot be in the future")]
    [InlineData("10", "BACS 0008", "2016-05-20", "cannot be before the first money the branch was given (21 May 2017)")]
    [InlineData("1.00", "bacs-0001", null, "A transfer of £1.00 to this branch on ")]
    [InlineData("10", "- / -", null, "it has letters or digits")]
    public async Task Bad_payments_are_refused_with_a_clear_message_and_nothing_is_posted(string amount, string reference, string? date, string message)
    {
        var statementId = await StatementAsync();
        await GiveAsync(Burton, 170, WeekOneEnd.AddDays(2));
        var (approver, _) = await SignIn.AsAdminAsync(App, "approver@example.org");
        var (payer, _) = await SignIn.AsAdminAsync(App, "payer@example.org");
        await ApproveAsync(approver, statementId);
        using (var first = await PayAsync(payer, statementId, "1.00", "BACS 0001"))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        }

        var before = await EntriesAsync();

        using var refused = await PayAsync(payer, statementId, amount, reference, date);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains(message, WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(before, await EntriesAsync());
        Assert.Equal(1, await App.WithDbAsync(db => db.RemittancePayments.CountAsync()));
    }

    [Fact]
    public async Task A_treasurer_may_use_the_same_bank_reference_every_week_and_for_every_branch()
    {
        var first = await StatementAsync();
        await GiveAsync(Burton, 5_000, WeekOneEnd.AddDays(2));
        var second = (await BuildAsync(Burton, WeekOneEnd.AddDays(7)))!.Value;
        await GiveAsync(Lutterworth, 7_700, WeekOneEnd.AddDays(-1), 100);
        var lutterworth = (await BuildAsync(Lutterworth, WeekOneEnd))!.Value;
        var (approver, _) = await SignIn.AsAdminAsync(App, "approver@example.org");
        var (payer, _) = await SignIn.AsAdminAsync(App, "payer@example.org");
        foreach (var statement in new[] { first, second, lutterworth })
        {
            await ApproveAsync(approver, statement);
        }

        var lastWeek = DateOnly.ParseExact(Today, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(-7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        using var weekOne = await PayAsync(payer, first, "98.30", "STRIKE FUND", lastWeek);
        using var weekTwo = await PayAsync(payer, second, "50.00", "Strike Fund");
        using var otherBranch = await PayAsync(payer, lutterworth, "50.00", "STRIKE-FUND");
        using var twice = await PayAsync(payer, second, "50.00", "strike fund", form: false);

        Assert.Equal(
            [HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.Redirect],
            [weekOne.StatusCode, weekTwo.StatusCode, otherBranch.StatusCode]);
        Assert.Contains("is already recorded; nothing was posted", WebUtility.HtmlDecode(await twice.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(3, await App.WithDbAsync(db => db.RemittancePayments.CountAsync(p => p.ReferenceKey == "STRIKEFUND")));
    }

    [Fact]
    public async Task References_recorded_with_punctuation_before_are_rekeyed_unless_that_would_make_two_transfers_one()
    {
        var statementId = await StatementAsync();
        RemittancePayment Payment(string reference, string oldKey, DateOnly paidOn, long pence) => new()
        {
            StatementId = statementId, BranchId = Burton, AmountPence = pence, PaidOn = paidOn, BankReference = reference, ReferenceKey = oldKey,
            RecordedAt = WeekOneEnd, RecordedByName = "treasurer@example.org",
        };
        var plain = Payment("ABC-123", "ABC-123", new DateOnly(2017, 5, 23), 1_000);
        var dashed = Payment("X-1", "X-1", new DateOnly(2017, 5, 24), 2_000);
        var spaced = Payment("X 1", "X1", new DateOnly(2017, 5, 24), 2_000);
        await App.WithDbAsync(db =>
        {
            db.RemittancePayments.AddRange(plain, dashed, spaced);
            return db.SaveChangesAsync();
        });

        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(RemittanceReferencesRepeatAcrossTransfers.RekeySql));
        await App.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(RemittanceReferencesRepeatAcrossTransfers.RekeySql));

        var keys = await App.WithDbAsync(db => db.RemittancePayments.ToDictionaryAsync(p => p.Id, p => p.ReferenceKey));
        Assert.Equal("ABC123", keys[plain.Id]);
        Assert.Equal("X-1", keys[dashed.Id]);
        Assert.Equal("X1", keys[spaced.Id]);
    }

    [Fact]
    public async Task The_admin_who_approved_cannot_record_the_payment_while_another_admin_exists()
    {
        var statementId = await StatementAsync();
        var (approver, _) = await SignIn.AsAdminAsync(App, "approver@example.org");
        await SignIn.CreateAccountAsync(App, "second@example.org", Solidarity.Core.Accounts.Roles.Admin, withAuthenticator: true);
        await ApproveAsync(approver, statementId);

        var page = await (await approver.GetAsync($"/admin/remittances/statements/{statementId}")).Content.ReadAsStringAsync();
        Assert.Contains("another admin must record its payment", page, StringComparison.Ordinal);
        using var refused = await PayAsync(approver, statementId, "10", "BACS 0009", form: false);

        Assert.Contains("another admin must record its payment", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await App.WithDbAsync(db => db.RemittancePayments.ToListAsync()));
        Assert.DoesNotContain(await EntriesAsync(), e => e.Key.StartsWith("remittance:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Payments_against_one_statement_never_add_up_to_more_than_it_approved()
    {
        var statementId = await StatementAsync();
        await GiveAsync(Burton, 50_000, WeekOneEnd.AddDays(2));
        var (approver, _) = await SignIn.AsAdminAsync(App, "approver@example.org");
        var (payer, _) = await SignIn.AsAdminAsync(App, "payer@example.org");
        await ApproveAsync(approver, statementId);
        using (var first = await PayAsync(payer, statementId, "60.00", "BACS 0021"))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        }

        using var refused = await PayAsync(payer, statementId, "38.31", "BACS 0022");
        using var rest = await PayAsync(payer, statementId, "38.30", "BACS 0023");

        Assert.Contains("more than this statement has left to pay (£38.30", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, rest.StatusCode);
        Assert.Equal([6_000L, 3_830L], await App.WithDbAsync(db => db.RemittancePayments.OrderBy(p => p.RecordedAt).Select(p => p.AmountPence).ToListAsync()));
        var page = await HtmlForm.ParseAsync(await payer.GetAsync($"/admin/remittances/statements/{statementId}"));
        Assert.Contains("paid in full", page.QuerySelector("#statement-paid")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("#record-payment"));
    }

    [Fact]
    public async Task A_transfer_against_an_older_statement_counts_against_the_next_one_which_carries_its_balance_forward()
    {
        var first = await StatementAsync();
        await GiveAsync(Burton, 5_000, WeekOneEnd.AddDays(2));
        var second = (await BuildAsync(Burton, WeekOneEnd.AddDays(7)))!.Value;
        await GiveAsync(Burton, 12_000, WeekOneEnd.AddDays(9));
        var (approver, _) = await SignIn.AsAdminAsync(App, "approver@example.org");
        var (payer, _) = await SignIn.AsAdminAsync(App, "payer@example.org");
        await ApproveAsync(approver, first);
        await ApproveAsync(approver, second);
        using (var older = await PayAsync(payer, first, "98.30", "BACS 0041"))
        {
            Assert.Equal(HttpStatusCode.Redirect, older.StatusCode);
        }

        // The second statement approved £148.30, the first's £98.30 carried forward and £50 more; the branch now holds
        // £170.00 (£50 of it on no statement yet), so only the branch's balance did not stop a second £98.30.
        using var twice = await PayAsync(payer, second, "148.30", "BACS 0042");
        using var rest = await PayAsync(payer, second, "50.00", "BACS 0043");

        Assert.Contains(
            "more than this statement has left to pay (£50.00: £148.30 approved, £98.30 paid to the branch since its period ended)",
            WebUtility.HtmlDecode(await twice.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, rest.StatusCode);
        Assert.Equal([9_830L, 5_000L], await App.WithDbAsync(db => db.RemittancePayments.OrderBy(p => p.RecordedAt).Select(p => p.AmountPence).ToListAsync()));
        var page = await HtmlForm.ParseAsync(await payer.GetAsync($"/admin/remittances/statements/{second}"));
        Assert.Contains("paid in full", page.QuerySelector("#statement-paid")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_branch_sees_an_older_statement_paid_in_full_by_a_transfer_against_the_later_one_that_carried_it()
    {
        var first = await StatementAsync();
        await GiveAsync(Burton, 5_000, WeekOneEnd.AddDays(2));
        var second = (await BuildAsync(Burton, WeekOneEnd.AddDays(7)))!.Value;
        var (approver, _) = await SignIn.AsAdminAsync(App, "approver@example.org");
        var (payer, _) = await SignIn.AsAdminAsync(App, "payer@example.org");
        var (officer, _) = await OfficerAsync(Burton, "officer@example.org");
        await ApproveAsync(approver, second);
        var before = await HtmlForm.ParseAsync(await officer.GetAsync($"/branch/statements/{first}"));

        // The second statement closed with £148.30: the first's £98.30, unpaid, carried forward, and £50 more.
        using (var paid = await PayAsync(payer, second, "148.30", "BACS 0051"))
        {
            Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        }

        var older = await HtmlForm.ParseAsync(await officer.GetAsync($"/branch/statements/{first}"));
        var later = await HtmlForm.ParseAsync(await officer.GetAsync($"/branch/statements/{second}"));

        Assert.Contains("£0.00 of the £98.30 this statement closed with", before.QuerySelector("#settlement")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Paid in full: £148.30 has been paid to the branch since this period ended, of the £98.30",
            Normalised(older.QuerySelector("#settlement")!.TextContent), StringComparison.Ordinal);
        Assert.Contains("No transfer has been recorded against this statement.", older.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains("carries forward", older.QuerySelector("#settlement")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Paid in full", later.QuerySelector("#settlement")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("carries forward", later.QuerySelector("#settlement")!.TextContent, StringComparison.Ordinal);
        Assert.Single(later.QuerySelectorAll("#payments li"));

        static string Normalised(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_payment_is_refused_when_the_branch_now_holds_less_than_its_statement_approved()
    {
        var statementId = await StatementAsync();
        var (approver, _) = await SignIn.AsAdminAsync(App, "approver@example.org");
        var (payer, _) = await SignIn.AsAdminAsync(App, "payer@example.org");
        await ApproveAsync(approver, statementId);

        // A refund after the statement closed: the branch holds £48.30, although the statement approved £98.30.
        var refunded = await GiveAsync(Burton, 1, WeekOneEnd.AddDays(1));
        await PostAsync(refunded, LedgerEntryKind.Refund, -5_001, WeekOneEnd.AddDays(2));
        var before = await EntriesAsync();

        using var refused = await PayAsync(payer, statementId, "50.00", "BACS 0031");

        Assert.Contains("more than the branch is owed (£48.30)", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(before, await EntriesAsync());
    }

    [Fact]
    public async Task On_a_single_admin_site_the_two_person_rule_holds_unless_the_setting_waives_it()
    {
        var statementId = await StatementAsync();
        var (admin, _) = await SignIn.AsAdminAsync(App, "only@example.org");
        await ApproveAsync(admin, statementId);

        var page = WebUtility.HtmlDecode(await (await admin.GetAsync($"/admin/remittances/statements/{statementId}")).Content.ReadAsStringAsync());
        using var refused = await PayAsync(admin, statementId, "25", "BACS 0010", form: false);

        Assert.Contains("another admin must record its payment", page, StringComparison.Ordinal);
        Assert.Contains("Remittances:AllowSingleAdmin", page, StringComparison.Ordinal);
        Assert.Contains("another admin must record its payment", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await App.WithDbAsync(db => db.RemittancePayments.ToListAsync()));
    }

    [Fact]
    public async Task A_single_admin_site_that_allows_it_says_so_and_lets_that_admin_approve_and_pay()
    {
        await using var site = App.WithWebHostBuilder(b => b.UseSetting("Remittances:AllowSingleAdmin", "true"));
        var statementId = await StatementAsync();
        var (admin, _) = await SignIn.AsAdminAsync(site, "only@example.org");
        await ApproveAsync(admin, statementId);

        var page = await (await admin.GetAsync($"/admin/remittances/statements/{statementId}")).Content.ReadAsStringAsync();
        Assert.Contains("the two-person rule is waived", page, StringComparison.Ordinal);
        using var paid = await PayAsync(admin, statementId, "25", "BACS 0010");

        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        Assert.Single(await App.WithDbAsync(db => db.RemittancePayments.ToListAsync()));
    }

    [Fact]
    public async Task An_admin_left_alone_by_a_disabled_one_may_pay_where_the_setting_allows_a_single_admin()
    {
        await using var site = App.WithWebHostBuilder(b => b.UseSetting("Remittances:AllowSingleAdmin", "true"));
        var statementId = await StatementAsync();
        var (admin, _) = await SignIn.AsAdminAsync(site, "staying@example.org");
        await SignIn.AsAdminAsync(site, "leaving@example.org");
        await App.WithDbAsync(db => db.Users.Where(u => u.Email == "leaving@example.org")
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnd, DateTimeOffset.MaxValue)));
        await ApproveAsync(admin, statementId);

        var page = await (await admin.GetAsync($"/admin/remittances/statements/{statementId}")).Content.ReadAsStringAsync();
        using var paid = await PayAsync(admin, statementId, "25", "BACS 0012");

        Assert.Contains("the two-person rule is waived", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        Assert.Single(await App.WithDbAsync(db => db.RemittancePayments.ToListAsync()));
    }

    [Fact]
    public async Task A_statement_must_be_approved_before_its_payment_is_recorded()
    {
        var statementId = await StatementAsync();
        var (admin, _) = await SignIn.AsAdminAsync(App, "only@example.org");

        using var refused = await PayAsync(admin, statementId, "25", "BACS 0011", form: false);

        Assert.Contains("Approve the statement before", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await App.WithDbAsync(db => db.RemittancePayments.ToListAsync()));
    }

    [Fact]
    public async Task Officer_reads_the_approved_messages_for_the_branch_disputes_and_downloads_them_as_a_booklet()
    {
        await App.WithDbAsync(db =>
        {
            db.SupportMessages.AddRange(
                new SupportMessage { DisputeId = DisputeId, Body = "Solidarity from Birmingham!", AuthorName = "Jo", OrganisationName = "Momentum South Birmingham", Status = ModerationStatus.Approved, CreatedAt = WeekOneEnd, ModeratedAt = WeekOneEnd },
                new SupportMessage { DisputeId = DisputeId, Body = "Not yet moderated", Status = ModerationStatus.Pending, CreatedAt = WeekOneEnd },
                new SupportMessage { DisputeId = DisputeId, Body = "Rejected abuse", Status = ModerationStatus.Rejected, CreatedAt = WeekOneEnd, ModeratedAt = WeekOneEnd, RejectionReason = "Abusive" },
                new SupportMessage { DisputeId = OtherDisputeId, Body = "For the care workers", Status = ModerationStatus.Approved, CreatedAt = WeekOneEnd, ModeratedAt = WeekOneEnd });
            return db.SaveChangesAsync();
        });
        var (officer, _) = await OfficerAsync(Lutterworth, "officer@example.org");

        var page = WebUtility.HtmlDecode(await (await officer.GetAsync("/branch/messages")).Content.ReadAsStringAsync());
        var booklet = PdfTextReader.LinesText(await DownloadAsync(officer, "/branch/messages/booklet", "application/pdf"));

        foreach (var text in new[] { page, booklet })
        {
            Assert.Contains("Solidarity from Birmingham!", text, StringComparison.Ordinal);
            Assert.Contains("Jo, Momentum South Birmingham", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Not yet moderated", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Rejected abuse", text, StringComparison.Ordinal);
            Assert.DoesNotContain("For the care workers", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Officer_sees_what_was_raised_for_the_branch_dispute_by_dispute()
    {
        await GiveAsync(Burton, 10_000, WeekOneEnd.AddDays(-1), 170);
        await GiveAsync(Burton, 2_000, WeekOneEnd.AddDays(-1), 50, disputeId: OtherDisputeId);
        await GiveAsync(Lutterworth, 7_700, WeekOneEnd.AddDays(-1), 100);
        var (officer, _) = await OfficerAsync(Burton, "officer@example.org");

        var document = await HtmlForm.ParseAsync(await officer.GetAsync("/branch"));

        var rows = document.QuerySelectorAll("#raised tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains(rows, r => r.Contains("Argos warehouse strike", StringComparison.Ordinal) && r.Contains("£100.00", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("Heywood care workers", StringComparison.Ordinal) && r.Contains("£20.00", StringComparison.Ordinal));
        Assert.Equal("£117.80", document.QuerySelector("#owed-now")!.TextContent);
    }

    private async Task<Guid> StatementAsync()
    {
        await GiveAsync(Burton, 10_000, WeekOneEnd.AddDays(-1), 170, publicName: "Jo");
        return (await BuildAsync(Burton, WeekOneEnd))!.Value;
    }

    private static async Task ApproveAsync(HttpClient admin, Guid statementId)
    {
        var form = await HtmlForm.GetAsync(admin, $"/admin/remittances/statements/{statementId}", "form[action*='handler=Approve']");
        using var response = await form.SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    /// <summary>Posts the payment form; without <paramref name="form"/> the page shows none, so the post is built by hand with the page's token.</summary>
    private static async Task<HttpResponseMessage> PayAsync(HttpClient admin, Guid statementId, string amount, string reference, string? date = null, bool form = true)
    {
        var path = $"/admin/remittances/statements/{statementId}";
        if (form)
        {
            var payment = await HtmlForm.GetAsync(admin, path, "#record-payment");
            return await payment.Set("Input.Amount", amount).Set("Input.BankReference", reference).Set("Input.PaidOn", date ?? Today).SubmitAsync();
        }

        var token = await admin.AntiforgeryTokenAsync(path);
        return await admin.PostAsync($"{path}?handler=Pay", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Amount"] = amount, ["Input.BankReference"] = reference, ["Input.PaidOn"] = date ?? Today, [HtmlPages.AntiforgeryField] = token,
        }));
    }

    private Task<List<(string Key, long Pence)>> EntriesAsync() =>
        App.WithDbAsync(async db => (await db.LedgerEntries.OrderBy(e => e.Id).Select(e => new { e.Key, e.AmountPence, e.Kind }).ToListAsync())
            .Select(e => (e.Key, e.AmountPence)).ToList());
}
