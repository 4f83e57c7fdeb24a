using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Solidarity.Core.Accounts;
using Solidarity.Core.Audit;
using Solidarity.Core.Donations;
using Solidarity.Core.Messages;
using Solidarity.Core.Receipts;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Monthly;
using Solidarity.Tests.Infrastructure;
using Solidarity.Tests.Receipts;
using Solidarity.Web.Pages.Admin;
using Solidarity.Web.Pages.Admin.Donors;
using Solidarity.Web.Pages.Disputes;
using Solidarity.Web.Pages.Ledger;
using Solidarity.Web.Pages.Receipts;
using Solidarity.Web.Pages.Remittances;

namespace Solidarity.Tests.Privacy;

/// <summary>
/// Finding, exporting and erasing a donor through /admin/donors, as a signed-in admin with a second factor,
/// against the real database: the person goes, the money stays.
/// </summary>
public sealed class DonorErasureTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string Reason = "Request by email of 3 June";

    [Theory]
    [InlineData("example.org")]
    [InlineData("jo@")]
    [InlineData("@example.org")]
    [InlineData("jo@example")]
    [InlineData("jo")]
    public async Task Search_needs_a_full_email_address_and_shows_nothing_for_a_part_of_one(string partial)
    {
        await DonorData.SeedAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);

        var (response, page) = await FindAsync(client, partial);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Enter the donor's full email address", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("[data-testid=donations]"));
        Assert.DoesNotContain(DonorData.JoName, page.Body.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(DonorData.SamName, page.Body.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_by_exact_address_in_any_case_lists_only_that_donors_donations_messages_and_receipts()
    {
        var data = await DonorData.SeedAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);

        var (response, page) = await FindAsync(client, "  JO@EXAMPLE.ORG ");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl!.NoStore);
        var donations = page.QuerySelectorAll("[data-testid=donations] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(2, donations.Count);
        Assert.Contains(donations, r => r.Contains("£25.00", StringComparison.Ordinal) && r.Contains("Card (online)", StringComparison.Ordinal) && r.Contains("Paid", StringComparison.Ordinal));
        Assert.Contains(donations, r => r.Contains("£10.00", StringComparison.Ordinal) && r.Contains("Cheque", StringComparison.Ordinal) && r.Contains(DonorData.JoOrganisation, StringComparison.Ordinal));
        Assert.All(donations, r => Assert.Contains("Argos warehouse strike", r, StringComparison.Ordinal));
        Assert.Contains(DonorData.JoMessageBody, page.QuerySelector("[data-testid=messages]")!.TextContent, StringComparison.Ordinal);
        var receipts = page.QuerySelectorAll("[data-testid=receipts] tbody tr").Select(r => r.Children[0].TextContent).ToList();
        Assert.Equal(await data.JosDocumentNumbersAsync(App), receipts.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(DonorData.SamName, page.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(DonorData.KimName, page.Body.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("£50.00", page.Body.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_compares_the_address_whole_so_a_wildcard_finds_nobody()
    {
        await DonorData.SeedAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);

        // What would be a wildcard elsewhere is only a character here.
        var (_, wildcard) = await FindAsync(client, "%@example.org");

        Assert.NotNull(wildcard.QuerySelector("[data-testid=nothing-held]"));
        Assert.Null(wildcard.QuerySelector("[data-testid=donations]"));
    }

    [Fact]
    public async Task Export_is_a_json_attachment_that_is_not_stored()
    {
        using var export = await ExportJoAsync();
        var response = export.Response;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.EndsWith(".json", response.Content.Headers.ContentDisposition.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName, StringComparison.Ordinal);
        Assert.True(response.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task Export_holds_the_address_and_every_donation_of_that_donor_with_its_payment_and_branch()
    {
        using var export = await ExportJoAsync();
        var data = export.Data;

        using var json = JsonDocument.Parse(export.Text);
        var root = json.RootElement;
        Assert.Equal("jo@example.org", root.GetProperty("email").GetString());
        var donations = root.GetProperty("donations").EnumerateArray().ToList();
        Assert.Equal(data.JosDonations.Order(), donations.Select(d => d.GetProperty("id").GetGuid()).Order());
        var card = donations.Single(d => d.GetProperty("id").GetGuid() == data.JoCard);
        Assert.Equal(DonorData.JoName, card.GetProperty("donorName").GetString());
        Assert.Equal(DonorData.JoEmail, card.GetProperty("email").GetString());
        Assert.Equal(DonorData.JoPublicName, card.GetProperty("publicName").GetString());
        Assert.Equal(2_500, card.GetProperty("amountPence").GetInt64());
        Assert.Equal(58, card.GetProperty("feeCoverPence").GetInt64());
        Assert.Equal("Card", card.GetProperty("method").GetString());
        Assert.Equal("Paid", card.GetProperty("status").GetString());
        Assert.Equal("ch_test_jo", card.GetProperty("stripeChargeId").GetString());
        Assert.True(card.GetProperty("showAmountPublicly").GetBoolean());
        Assert.Equal("pi_test_jo", card.GetProperty("stripePaymentIntentId").GetString());
        Assert.Equal(DonorData.PaidAt, card.GetProperty("paidAt").GetDateTimeOffset());
        var allocation = Assert.Single(card.GetProperty("allocations").EnumerateArray().ToList());
        Assert.Equal(2_558, allocation.GetProperty("amountPence").GetInt64());
        Assert.Equal("Burton on Trent branch (WM7680)", allocation.GetProperty("branch").GetString());
        var cheque = donations.Single(d => d.GetProperty("id").GetGuid() == data.JoCheque);
        Assert.Equal(DonorData.JoOrganisation, cheque.GetProperty("organisationName").GetString());
        Assert.Equal(DonorData.JoChequeReference, cheque.GetProperty("reference").GetString());
    }

    [Fact]
    public async Task Export_holds_that_donors_messages_receipts_without_their_pdfs_and_email_deliveries()
    {
        using var export = await ExportJoAsync();

        using var json = JsonDocument.Parse(export.Text);
        var root = json.RootElement;
        var message = Assert.Single(root.GetProperty("messages").EnumerateArray().ToList());
        Assert.Equal(DonorData.JoMessageBody, message.GetProperty("body").GetString());
        Assert.Equal(DonorData.JoTown, message.GetProperty("town").GetString());
        var receipts = root.GetProperty("receipts").EnumerateArray().ToList();
        Assert.Equal(await export.Data.JosDocumentNumbersAsync(App), receipts.Select(r => r.GetProperty("number").GetString()!).Order(StringComparer.Ordinal));
        Assert.Contains(receipts, r => r.GetProperty("kind").GetString() == "CreditNote" && r.GetProperty("amountPence").GetInt64() == 1_000);
        Assert.All(receipts, r => Assert.False(r.TryGetProperty("pdf", out _)));
        var deliveries = root.GetProperty("emailDeliveries").EnumerateArray().ToList();
        Assert.Equal(3, deliveries.Count);
        Assert.Contains(deliveries, d => d.GetProperty("attempts").GetInt32() == 1 && d.GetProperty("lastError").GetString()!.Contains("mailbox full", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_holds_nothing_of_other_donors()
    {
        using var export = await ExportJoAsync();

        foreach (var other in new[] { DonorData.SamName, DonorData.SamEmail, DonorData.KimName, DonorData.KimEmail, "ch_test_sam" })
        {
            Assert.DoesNotContain(other, export.Text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Export_is_audited_by_the_keyed_hash_of_the_address_and_without_the_address()
    {
        using var export = await ExportJoAsync();

        var audit = Assert.Single(await AuditAsync(AuditActions.DonorExported));
        Assert.Equal(AuditName("jo@example.org"), audit.SubjectId);
        Assert.Equal("admin@example.org", audit.UserName);
        AssertHoldsNothingOfJo(audit.Details);
        using var details = JsonDocument.Parse(audit.Details!);
        Assert.Equal(2, details.RootElement.GetProperty("donations").GetInt32());
        Assert.Equal(AuditName("JO@example.ORG"), details.RootElement.GetProperty("emailHmac").GetString());
    }

    [Fact]
    public async Task Erasure_replaces_the_email_key_supporters_are_counted_by_and_the_count_stays()
    {
        var data = await DonorData.SeedAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        var emailKey = App.Services.GetRequiredService<SupporterKeys>().For(DonorData.JoEmail, null);
        var countBefore = await SupportersAsync(data);

        using var erased = await EraseAsync(client, DonorData.JoEmail);

        var card = await App.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync(d => d.Id == data.JoCard));
        Assert.StartsWith("erased:", card.DonorKey, StringComparison.Ordinal);
        Assert.Equal(0, await App.WithDbAsync(db => db.DisputeSupporters.CountAsync(s => s.DonorKey == emailKey)));
        Assert.Equal(1, await App.WithDbAsync(db => db.DisputeSupporters.CountAsync(s => s.DonorKey == card.DonorKey && s.CountingGifts == 1)));
        Assert.Equal(countBefore, await SupportersAsync(data));
        await Ledger.MoneyScenario.AssertTotalsMatchEntriesAsync(App);
    }

    private async Task<int> SupportersAsync(DonorData data)
    {
        await using var scope = App.Scope();
        return (await scope.ServiceProvider.GetRequiredService<DisputeTotalsQuery>().ForDisputeAsync(data.DisputeId, CancellationToken.None)).Supporters;
    }

    [Fact]
    public async Task Erasure_returns_to_the_donor_page_with_a_count_of_what_it_erased()
    {
        using var erased = await EraseJoAsync();

        Assert.Equal(HttpStatusCode.Redirect, erased.Response.StatusCode);
        var notice = (await HtmlForm.ParseAsync(await erased.Client.GetAsync("/admin/donors"))).QuerySelector(".notice")!.TextContent;
        Assert.Contains("2 donations, 1 message and 3 receipts and credit notes", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasure_removes_the_person_from_their_donations_and_keeps_the_amounts_and_the_charge()
    {
        using var erased = await EraseJoAsync();
        var data = erased.Data;

        var donations = await App.WithDbAsync(db => db.Donations.AsNoTracking().Where(d => data.JosDonations.Contains(d.Id)).ToListAsync());
        Assert.All(donations, d =>
        {
            Assert.Null(d.DonorName);
            Assert.Null(d.Email);
            Assert.Null(d.PublicName);
            Assert.Null(d.OrganisationName);
            Assert.NotNull(d.ErasedAt);
        });
        Assert.Equal([2_500L, 1_000L], donations.OrderByDescending(d => d.AmountPence).Select(d => d.AmountPence));
        Assert.Equal(58, donations.Single(d => d.Id == data.JoCard).FeeCoverPence);
        Assert.Equal("ch_test_jo", donations.Single(d => d.Id == data.JoCard).StripeChargeId);
    }

    [Fact]
    public async Task Erasure_removes_the_author_and_words_of_a_message_and_keeps_its_moderation()
    {
        using var erased = await EraseJoAsync();

        var message = await App.WithDbAsync(db => db.SupportMessages.AsNoTracking().SingleAsync(m => m.Id == erased.Data.JoMessage));
        Assert.Null(message.AuthorName);
        Assert.Null(message.Town);
        Assert.Equal(DonorErasure.MessageRemoved, message.Body);
        Assert.Equal(ModerationStatus.Approved, message.Status);
        Assert.Equal("moderator@example.org", message.ModeratedByName);
        Assert.Equal(DonorData.PaidAt.AddHours(1), message.ModeratedAt);
    }

    [Fact]
    public async Task Erasure_reissues_receipts_and_credit_notes_without_the_name_under_the_same_numbers()
    {
        using var erased = await EraseJoAsync();

        var receiptsBefore = erased.ReceiptsBefore;
        var receiptsAfter = await ReceiptsAsync(erased.Data.JosDonations);
        Assert.Equal(receiptsBefore.Select(r => (r.Number, r.AmountPence, r.IssuedAt)), receiptsAfter.Select(r => (r.Number, r.AmountPence, r.IssuedAt)));
        Assert.All(receiptsAfter, r => Assert.Null(r.DownloadTokenHash));
        foreach (var (old, reissued) in receiptsBefore.Zip(receiptsAfter))
        {
            var oldText = PdfTextReader.Words(old.Pdf);
            var text = PdfTextReader.Words(reissued.Pdf);
            Assert.Contains(DonorData.JoName, oldText, StringComparison.Ordinal);
            Assert.Contains(reissued.Number, text, StringComparison.Ordinal);
            Assert.Contains(new Core.Amounts.Money(reissued.AmountPence, "GBP").Format(), text, StringComparison.Ordinal);
            Assert.Contains("26 May 2017", text, StringComparison.Ordinal);
            Assert.Contains(ReceiptDocument.NameRemoved, text, StringComparison.Ordinal);
            Assert.Contains("Reissued after erasure", text, StringComparison.Ordinal);
            AssertHoldsNothingOfJo(text);
        }

        var cardReceipt = receiptsAfter.Single(r => r.DonationId == erased.Data.JoCard && r.Kind == ReceiptKind.Receipt);
        Assert.Contains(cardReceipt.Number, PdfTextReader.Words(receiptsAfter.Single(r => r.Kind == ReceiptKind.CreditNote).Pdf), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasure_ends_the_emailed_receipt_link()
    {
        using var erased = await EraseJoAsync();

        using var download = await erased.Client.GetAsync($"/receipts/{erased.ReceiptToken}");
        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
    }

    [Fact]
    public async Task An_erasure_waits_for_a_receipt_email_in_flight_so_the_link_that_email_commits_is_ended_too()
    {
        var data = await DonorData.SeedAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var receiptId = await App.WithDbAsync(db => db.Receipts.Where(r => r.DonationId == data.JoCard && r.Kind == ReceiptKind.Receipt).Select(r => r.Id).SingleAsync());

        // The email is sent; the job commits its fresh link with the delivery.
        using var erased = await EraseWhileAnEmailIsInFlightAsync(
            client,
            SendReceiptEmailJob.DeliveryKey(receiptId),
            """UPDATE "Receipts" SET "DownloadTokenHash" = 'fresh-link', "DownloadTokenExpiresAt" = now() + interval '30 days' WHERE "Id" = @id""",
            receiptId);

        Assert.Equal(HttpStatusCode.Redirect, erased.StatusCode);
        Assert.Null(await App.WithDbAsync(db => db.Receipts.Where(r => r.Id == receiptId).Select(r => r.DownloadTokenHash).SingleAsync()));
    }

    [Fact]
    public async Task An_erasure_waits_for_a_statement_of_giving_email_in_flight_rather_than_deadlock_with_it()
    {
        var data = await DonorData.SeedAsync(App);

        // A retry: the first attempt failed, so the erasure clears the delivery's error too.
        var statementId = await StatementOfGivingAsync(data, "4.2.2 mailbox full");
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        // The statement's email is sent; the job commits the statement's fresh link with the delivery.
        using var erased = await EraseWhileAnEmailIsInFlightAsync(
            client,
            SendYearStatementJob.DeliveryKey(statementId),
            """UPDATE "YearStatements" SET "DownloadTokenExpiresAt" = now() + interval '30 days' WHERE "Id" = @id""",
            statementId);

        Assert.Equal(HttpStatusCode.Redirect, erased.StatusCode);
        Assert.NotNull(await App.WithDbAsync(db => db.YearStatements.Where(s => s.Id == statementId).Select(s => s.ErasedAt).SingleAsync()));
    }

    /// <summary>Jo's statement of giving for 2017, listing the card gift, and its email's delivery, which failed with <paramref name="lastError"/>.</summary>
    private async Task<Guid> StatementOfGivingAsync(DonorData data, string lastError)
    {
        var statement = new YearStatement { Year = 2017, AddressKey = "statement-key", Occasion = "asked", DonationIds = [data.JoCard], CreatedAt = DateTimeOffset.UtcNow };
        await App.WithDbAsync(db =>
        {
            db.YearStatements.Add(statement);
            db.EmailDeliveries.Add(new Core.Email.EmailDelivery
            {
                Key = SendYearStatementJob.DeliveryKey(statement.Id), CreatedAt = DateTimeOffset.UtcNow, Attempts = 1, LastError = lastError,
            });
            return db.SaveChangesAsync();
        });
        return statement.Id;
    }

    /// <summary>
    /// Erases Jo while an email job holds the delivery row <paramref name="deliveryKey"/>, as it does while it talks to the
    /// mail server; once the erasure has finished or waits for a lock, the job commits <paramref name="commitSql"/> (its
    /// fresh link, with <paramref name="id"/> as <c>@id</c>) and ends.
    /// </summary>
    private async Task<HttpResponseMessage> EraseWhileAnEmailIsInFlightAsync(HttpClient client, string deliveryKey, string commitSql, Guid id)
    {
        await using var job = new NpgsqlConnection(App.ConnectionString);
        await job.OpenAsync();
        await using var sending = await job.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("""SELECT 1 FROM "EmailDeliveries" WHERE "Key" = @key FOR UPDATE""", job, sending))
        {
            hold.Parameters.AddWithValue("key", deliveryKey);
            Assert.NotNull(await hold.ExecuteScalarAsync());
        }

        var erasing = EraseAsync(client, DonorData.JoEmail);
        await WaitUntilCompletedOrWaitingOnALockAsync(erasing);
        await using (var commit = new NpgsqlCommand(commitSql, job, sending))
        {
            commit.Parameters.AddWithValue("id", id);
            await commit.ExecuteNonQueryAsync();
        }

        await sending.CommitAsync();
        return await erasing;
    }

    /// <summary>Until the task ends, or another connection to this database waits for a row lock.</summary>
    private async Task WaitUntilCompletedOrWaitingOnALockAsync(Task task)
    {
        await using var watcher = new NpgsqlConnection(App.ConnectionString);
        await watcher.OpenAsync();
        await using var waiting = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", watcher);
        for (var tries = 0; !task.IsCompleted && (long)(await waiting.ExecuteScalarAsync())! == 0; tries++)
        {
            Assert.True(tries < 1_500, "The erasure neither finished nor waited for a lock.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_giver_whose_only_gift_is_a_monthly_one_never_paid_is_found_exported_and_erased()
    {
        var data = await DonorData.SeedAsync(App);
        const string email = "only.monthly@example.org";
        var giftId = await MonthlySubscription.PendingGiftAsync(App, data.DisputeId, 500, email: email, publicName: "Pat Monthly");
        await App.WithDbAsync(db =>
        {
            db.SupportMessages.Add(new SupportMessage { DisputeId = data.DisputeId, MonthlyGiftId = giftId, Body = "Every month, Pat", Town = "Leek", CreatedAt = DateTimeOffset.UtcNow });
            return db.SaveChangesAsync();
        });
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        var (_, found) = await FindAsync(client, "Only.Monthly@example.org");
        Assert.Null(found.QuerySelector("[data-testid=nothing-held]"));
        Assert.Contains("a month to Argos warehouse strike", found.QuerySelector("[data-testid=monthly-gifts]")!.TextContent, StringComparison.Ordinal);
        using var exported = await HtmlForm.From(client, found, "#export-form").SubmitAsync();
        using var json = JsonDocument.Parse(await exported.Content.ReadAsStringAsync());
        Assert.Equal(giftId.ToString(), Assert.Single(json.RootElement.GetProperty("monthlyGifts").EnumerateArray().ToList()).GetProperty("id").GetString());
        Assert.Equal("Every month, Pat", Assert.Single(json.RootElement.GetProperty("messages").EnumerateArray().ToList()).GetProperty("body").GetString());

        using var erased = await EraseAsync(client, email);

        Assert.Equal(HttpStatusCode.Redirect, erased.StatusCode);
        var gift = await App.WithDbAsync(db => db.MonthlyGifts.AsNoTracking().SingleAsync(g => g.Id == giftId));
        Assert.Equal((null, null, null), (gift.Email, gift.DonorName, gift.PublicName));
        Assert.Equal(DonorErasure.MessageRemoved, await App.WithDbAsync(db => db.SupportMessages.Where(m => m.MonthlyGiftId == giftId).Select(m => m.Body).SingleAsync()));
    }

    [Fact]
    public async Task A_statement_of_giving_that_bounced_is_in_the_export_and_its_error_naming_the_address_goes_with_the_erasure()
    {
        var data = await DonorData.SeedAsync(App);
        var statementId = await StatementOfGivingAsync(data, $"5.1.1 <{DonorData.JoEmail}>: mailbox full");
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        var (_, found) = await FindAsync(client, DonorData.JoEmail);
        using var exported = await HtmlForm.From(client, found, "#export-form").SubmitAsync();
        using var json = JsonDocument.Parse(await exported.Content.ReadAsStringAsync());
        Assert.Contains(json.RootElement.GetProperty("emailDeliveries").EnumerateArray(), d => d.GetProperty("about").GetString() == "statement of giving for 2017");

        using var erased = await EraseAsync(client, DonorData.JoEmail);

        var error = await App.WithDbAsync(db => db.EmailDeliveries.Where(d => d.Key == SendYearStatementJob.DeliveryKey(statementId)).Select(d => d.LastError).SingleAsync());
        Assert.Equal(DonorErasure.DeliveryErased, error);
    }

    [Fact]
    public async Task Erasure_removes_the_address_from_the_email_deliveries()
    {
        using var erased = await EraseJoAsync();

        var deliveries = await App.WithDbAsync(db => db.EmailDeliveries.AsNoTracking().Select(d => d.LastError).ToListAsync());
        Assert.All(deliveries, e => Assert.DoesNotContain("example.org", e ?? "", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Erasure_leaves_the_money_and_the_other_donors_as_they_were()
    {
        using var erased = await EraseJoAsync();

        Assert.Equal(erased.MoneyBefore, await MoneyAsync(erased.Data));
        Assert.Equal(erased.OthersBefore, await OthersAsync(erased.Data));
    }

    [Fact]
    public async Task Erasure_is_audited_with_its_counts_and_reason_by_the_keyed_hash_of_the_address()
    {
        using var erased = await EraseJoAsync();

        var audit = Assert.Single(await AuditAsync(AuditActions.DonorErased));
        Assert.Equal(AuditName("jo@example.org"), audit.SubjectId);
        AssertHoldsNothingOfJo(audit.Details);
        using var details = JsonDocument.Parse(audit.Details!);
        Assert.Equal(2, details.RootElement.GetProperty("donations").GetInt32());
        Assert.Equal(1, details.RootElement.GetProperty("messages").GetInt32());
        Assert.Equal(3, details.RootElement.GetProperty("receipts").GetInt32());
        Assert.Equal(Reason, details.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Erasure_leaves_nothing_of_the_donor_on_the_public_dispute_page()
    {
        using var erased = await EraseJoAsync();

        var publicPage = await (await erased.Client.GetAsync($"/disputes/{DonorData.Slug}")).Content.ReadAsStringAsync();
        AssertHoldsNothingOfJo(publicPage);
        Assert.Contains(DonorErasure.MessageRemoved.Replace("'", "&#x27;", StringComparison.Ordinal), publicPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remittance_statements_show_erased_donors_as_anonymous_and_keep_an_organisation_when_asked()
    {
        var data = await DonorData.SeedAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        var linesBefore = await StatementLinesAsync(data);
        Assert.Contains(linesBefore, l => l.From == DonorData.JoPublicName);

        using var erased = await EraseAsync(client, DonorData.JoEmail, keepOrganisation: true);

        Assert.Equal(HttpStatusCode.Redirect, erased.StatusCode);
        var lines = await StatementLinesAsync(data);
        Assert.Equal(linesBefore.Select(l => (l.DonationId, l.GrossPence, l.FeePence)), lines.Select(l => (l.DonationId, l.GrossPence, l.FeePence)));
        Assert.Equal(StatementLine.Anonymous, lines.Single(l => l.DonationId == data.JoCard).From);
        Assert.Equal(DonorData.JoOrganisation, lines.Single(l => l.DonationId == data.JoCheque).From);
        Assert.Equal("Sam O", lines.Single(l => l.DonationId == data.Sam).From);
        var cheque = await App.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync(d => d.Id == data.JoCheque));
        Assert.Null(cheque.DonorName);
        Assert.Null(cheque.Email);
        var receipt = await App.WithDbAsync(db => db.Receipts.AsNoTracking().SingleAsync(r => r.DonationId == data.JoCheque));
        var text = PdfTextReader.Words(receipt.Pdf);
        Assert.Contains(DonorData.JoOrganisation, text, StringComparison.Ordinal);
        Assert.Contains(ReceiptDocument.NameRemoved, text, StringComparison.Ordinal);
        Assert.DoesNotContain("BLOGGS", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Thank_you_page_shows_nothing_of_the_donor_after_erasure()
    {
        var data = await DonorData.SeedAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        // The browser that made the donation, the only one shown whose address the receipt goes to.
        using var visitor = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var donorBrowser = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = App.Services };
        App.Services.GetRequiredService<Solidarity.Web.Pages.Receipts.DonorBrowser>().Remember(donorBrowser, data.JoCard);
        visitor.DefaultRequestHeaders.Add("Cookie", donorBrowser.Response.Headers.SetCookie.ToString().Split(';')[0]);
        var path = $"/donations/{data.JoCard}/thank-you";
        Assert.Contains("***@Example.org", await (await visitor.GetAsync(path)).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var erased = await EraseAsync(client, DonorData.JoEmail);

        using var response = await visitor.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("£25.58", (await HtmlForm.ParseAsync(response)).Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("@Example.org", html, StringComparison.OrdinalIgnoreCase);
        AssertHoldsNothingOfJo(html);
    }

    [Fact]
    public async Task Erasing_twice_changes_nothing_the_second_time_and_says_so()
    {
        var data = await DonorData.SeedAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        var (_, page) = await FindAsync(client, DonorData.JoEmail);
        using (await HtmlForm.From(client, page, "#erase-form").Set("Input.Reason", Reason).Set("Input.Confirm", "true").SubmitAsync())
        {
        }

        var receipts = await ReceiptsAsync(data.JosDonations);
        var donations = await App.WithDbAsync(db => db.Donations.AsNoTracking().OrderBy(d => d.Id).Select(d => new { d.Id, d.ErasedAt }).ToListAsync());

        // The same form again, as a second click or a resubmission would send it.
        using var again = await HtmlForm.From(client, page, "#erase-form").Set("Input.Reason", Reason).Set("Input.Confirm", "true").SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        var notice = (await HtmlForm.ParseAsync(await client.GetAsync("/admin/donors"))).QuerySelector(".notice")!.TextContent;
        Assert.Contains("already erased", notice, StringComparison.Ordinal);
        Assert.Contains("Nothing changed", notice, StringComparison.Ordinal);
        Assert.Single(await AuditAsync(AuditActions.DonorErased));
        Assert.Equal(receipts.Select(r => r.Pdf), (await ReceiptsAsync(data.JosDonations)).Select(r => r.Pdf));
        Assert.Equal(donations, await App.WithDbAsync(db => db.Donations.AsNoTracking().OrderBy(d => d.Id).Select(d => new { d.Id, d.ErasedAt }).ToListAsync()));

        var (_, search) = await FindAsync(client, DonorData.JoEmail);
        Assert.Contains("erased on", search.QuerySelector("[data-testid=nothing-held]")!.TextContent, StringComparison.Ordinal);
        Assert.Null(search.QuerySelector("#erase-form"));
    }

    [Fact]
    public async Task The_audit_log_names_a_donor_by_a_keyed_hash_that_a_guessed_address_cannot_be_tested_against()
    {
        await DonorData.SeedAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        var (_, page) = await FindAsync(client, DonorData.JoEmail);
        using (await HtmlForm.From(client, page, "#erase-form").Set("Input.Reason", Reason).Set("Input.Confirm", "true").SubmitAsync())
        {
        }

        var audit = Assert.Single(await AuditAsync(AuditActions.DonorErased));
        Assert.NotEqual(DonorEmail.LegacySha256(DonorData.JoEmail), audit.SubjectId);
        Assert.DoesNotContain(DonorEmail.LegacySha256(DonorData.JoEmail), audit.Details, StringComparison.Ordinal);
        Assert.Equal(64, audit.SubjectId!.Length);
    }

    [Fact]
    public async Task An_erasure_recorded_by_the_bare_hash_before_the_key_is_still_recognised()
    {
        await App.WithDbAsync(async db =>
        {
            db.AuditEntries.Add(new AuditEntry
            {
                At = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero), UserName = "admin@example.org", Action = AuditActions.DonorErased,
                SubjectType = DonorAuditSubjects.Donor, SubjectId = DonorEmail.LegacySha256("old@example.org"),
            });
            await db.SaveChangesAsync();
        });
        var (client, _) = await SignIn.AsAdminAsync(App);

        var (_, search) = await FindAsync(client, "Old@Example.org");

        Assert.Contains("erased on", search.QuerySelector("[data-testid=nothing-held]")!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "true", "Give the reason for erasing")]
    [InlineData(Reason, "false", "Tick the box to confirm")]
    [InlineData("Asked by jo@example.org on 3 June", "true", "Leave the donor's email address or name out of the reason")]
    [InlineData("Asked by Jo Bloggs by phone on 3 June", "true", "Leave the donor's email address or name out of the reason")]
    [InlineData("Asked by Jo Bartholomew by phone on 3 June", "true", "Leave the donor's email address or name out of the reason")]
    public async Task Erasure_needs_the_confirmation_and_a_reason_and_changes_nothing_without_them(string reason, string confirm, string error)
    {
        var data = await DonorData.SeedAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        var before = await SnapshotAsync();
        var (_, page) = await FindAsync(client, DonorData.JoEmail);

        using var response = await HtmlForm.From(client, page, "#erase-form").Set("Input.Reason", reason).Set("Input.Confirm", confirm).SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var again = await HtmlForm.ParseAsync(response);
        Assert.Contains(error, again.QuerySelector("#erase-form")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(again.QuerySelector("[data-testid=donations]"));
        Assert.Equal(before, await SnapshotAsync());
        Assert.Empty(await AuditAsync(AuditActions.DonorErased));
        Assert.NotNull(await App.WithDbAsync(db => db.Donations.AsNoTracking().Where(d => d.Id == data.JoCard).Select(d => d.Email).SingleAsync()));
    }

    [Fact]
    public async Task Nobody_but_an_admin_with_a_second_factor_reaches_the_donor_pages()
    {
        var data = await DonorData.SeedAsync(App);
        var kimsReceipt = await App.WithDbAsync(db => db.Receipts.Where(r => r.DonationId == data.Kim).Select(r => r.Number).SingleAsync());
        var before = await SnapshotAsync();
        using var anonymous = SignIn.NewClient(App);
        var noFactor = await SignIn.CreateAccountAsync(App, "new-admin@example.org", Roles.Admin);
        using var adminWithoutFactor = SignIn.NewClient(App);
        using (await SignIn.WithPasswordAsync(adminWithoutFactor, noFactor.Email, noFactor.Password))
        {
        }

        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer, branchId: data.Burton);
        using var officerClient = SignIn.NewClient(App);
        using (var signedIn = await SignIn.WithPasswordAsync(officerClient, officer.Email, officer.Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        foreach (var (who, client, to) in new[]
                 {
                     ("anonymous", anonymous, "/account/sign-in"),
                     // Refused at sign-in (no trust on first use), so it has no session at all.
                     ("admin without a second factor", adminWithoutFactor, "/account/sign-in"),
                     ("branch officer", officerClient, "/account/access-denied"),
                 })
        {
            var token = await client.AntiforgeryTokenAsync($"/disputes/{DonorData.Slug}/donate");
            foreach (var (page, handler) in new[]
                     {
                         ("/admin/donors", "Find"), ("/admin/donors", "Export"), ("/admin/donors", "Erase"),
                         ("/admin/donors/gift", "Find"), ("/admin/donors/gift", "Erase"),
                     })
            {
                using var post = await client.PostAsync($"{page}?handler={handler}", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["Input.Email"] = DonorData.JoEmail, ["Input.Number"] = kimsReceipt, ["Input.Reason"] = Reason, ["Input.Confirm"] = "true",
                    [HtmlPages.AntiforgeryField] = token,
                }));
                Assert.True(post.StatusCode == HttpStatusCode.Redirect, $"{who} POST {page} {handler}: {post.StatusCode}");
                Assert.Equal(to, post.Headers.Location!.AbsolutePath);
            }

            foreach (var page in new[] { "/admin/donors", "/admin/donors/gift" })
            {
                using var get = await client.GetAsync(page);
                Assert.True(get.StatusCode == HttpStatusCode.Redirect, $"{who} GET {page}: {get.StatusCode}");
                Assert.Equal(to, get.Headers.Location!.AbsolutePath);
            }
        }

        Assert.Equal(before, await SnapshotAsync());
        Assert.Empty(await App.WithDbAsync(db => db.AuditEntries.Where(a => a.Action == AuditActions.DonorErased || a.Action == AuditActions.DonorExported).ToListAsync()));
    }

    [Fact]
    public async Task An_admin_with_a_second_factor_finds_the_donor_pages_from_the_dashboard()
    {
        await DonorData.SeedAsync(App);

        var (admin, _) = await SignIn.AsAdminAsync(App);

        var dashboard = await HtmlForm.ParseAsync(await admin.GetAsync("/admin"));
        Assert.NotNull(dashboard.QuerySelector("main a[href='/admin/donors']"));
        using var reached = await admin.GetAsync("/admin/donors");
        Assert.Equal(HttpStatusCode.OK, reached.StatusCode);
    }

    /// <summary>Jo's data as an admin exports it, once a receipt of Jo's has been emailed.</summary>
    private sealed record ExportedJo(DonorData Data, HttpResponseMessage Response, string Text) : IDisposable
    {
        public void Dispose() => Response.Dispose();
    }

    private async Task<ExportedJo> ExportJoAsync()
    {
        var data = await DonorData.SeedAsync(App);
        await data.EmailedReceiptAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        var (_, page) = await FindAsync(client, "jo@example.org");

        var response = await HtmlForm.From(client, page, "#export-form").SubmitAsync();

        return new ExportedJo(data, response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Jo erased by an admin, with what the site held before: the money, Jo's receipts and the other donors.</summary>
    private sealed record ErasedJo(
        DonorData Data, HttpClient Client, string ReceiptToken, string MoneyBefore, List<Receipt> ReceiptsBefore, string OthersBefore,
        HttpResponseMessage Response) : IDisposable
    {
        public void Dispose()
        {
            Response.Dispose();
            Client.Dispose();
        }
    }

    /// <summary>Erases Jo, once Jo's receipt has been emailed and can be downloaded and Jo's town shows on the dispute page.</summary>
    private async Task<ErasedJo> EraseJoAsync()
    {
        var data = await DonorData.SeedAsync(App);
        var token = await data.EmailedReceiptAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        var before = await MoneyAsync(data);
        var receiptsBefore = await ReceiptsAsync(data.JosDonations);
        var othersBefore = await OthersAsync(data);
        using (var download = await client.GetAsync($"/receipts/{token}"))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        }

        var dispute = await (await client.GetAsync($"/disputes/{DonorData.Slug}")).Content.ReadAsStringAsync();
        Assert.Contains(DonorData.JoTown, dispute, StringComparison.Ordinal);

        var erased = await EraseAsync(client, "jo@example.org");

        return new ErasedJo(data, client, token, before, receiptsBefore, othersBefore, erased);
    }

    private static async Task<(HttpResponseMessage Response, IDocument Page)> FindAsync(HttpClient client, string email)
    {
        var form = await HtmlForm.GetAsync(client, "/admin/donors", "#find-form");
        var response = await form.Set("Input.Email", email).SubmitAsync();
        return (response, await HtmlForm.ParseAsync(response));
    }

    private static async Task<HttpResponseMessage> EraseAsync(HttpClient client, string email, bool keepOrganisation = false)
    {
        var (_, page) = await FindAsync(client, email);
        var form = HtmlForm.From(client, page, "#erase-form").Set("Input.Reason", Reason).Set("Input.Confirm", "true");
        if (keepOrganisation)
        {
            form.Set("Input.KeepOrganisationName", "true");
        }

        return await form.SubmitAsync();
    }

    private static void AssertHoldsNothingOfJo(string? text)
    {
        foreach (var personal in new[] { DonorData.JoName, DonorData.JoPublicName, DonorData.JoEmail, DonorData.JoTown, DonorData.JoMessageBody, "Bloggs" })
        {
            Assert.DoesNotContain(personal, text ?? "", StringComparison.OrdinalIgnoreCase);
        }
    }

    private Task<List<Receipt>> ReceiptsAsync(IReadOnlyList<Guid> donations) =>
        App.WithDbAsync(db => db.Receipts.AsNoTracking().Where(r => donations.Contains(r.DonationId)).OrderBy(r => r.Number).ToListAsync());

    /// <summary>What the site's audit log calls a donor: the keyed hash of the address under the test suite's key.</summary>
    private string AuditName(string email)
    {
        using var scope = App.Scope();
        return scope.ServiceProvider.GetRequiredService<DonorAuditKey>().For(email);
    }

    private Task<List<AuditEntry>> AuditAsync(string action) =>
        App.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == action).ToListAsync());

    /// <summary>Every ledger entry as stored, and every figure derived from the ledger that the site shows.</summary>
    private async Task<string> MoneyAsync(DonorData data)
    {
        await using var scope = App.Scope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<Core.Data.SolidarityDbContext>();
        var entries = await db.LedgerEntries.AsNoTracking().OrderBy(e => e.Id)
            .Select(e => new { e.Id, e.Kind, e.AmountPence, e.Key, e.DonationId, e.BranchId, e.OccurredAt, e.RecordedAt, e.Note })
            .ToListAsync();
        var totals = await services.GetRequiredService<DisputeTotalsQuery>().ForDisputeAsync(data.DisputeId, CancellationToken.None);
        var ledger = services.GetRequiredService<LedgerQueries>();
        var money = await ledger.ForDisputesAsync([data.DisputeId], CancellationToken.None);
        var balance = await ledger.BranchBalanceAsync(data.Burton, CancellationToken.None);
        Assert.Equal(4, totals.Supporters);
        return JsonSerializer.Serialize(new { entries, totals, money, balance });
    }

    private Task<string> OthersAsync(DonorData data) => App.WithDbAsync(async db => JsonSerializer.Serialize(new
    {
        Donations = await db.Donations.AsNoTracking().Where(d => d.Id == data.Sam || d.Id == data.Kim).OrderBy(d => d.Id).ToListAsync(),
        Receipts = await db.Receipts.AsNoTracking().Where(r => r.DonationId == data.Sam || r.DonationId == data.Kim).OrderBy(r => r.Number).ToListAsync(),
    }));

    /// <summary>Everything erasure could touch, so that a refused erasure can be shown to have touched nothing.</summary>
    private Task<string> SnapshotAsync() => App.WithDbAsync(async db => JsonSerializer.Serialize(new
    {
        Donations = await db.Donations.AsNoTracking().OrderBy(d => d.Id).ToListAsync(),
        Messages = await db.SupportMessages.AsNoTracking().OrderBy(m => m.Id).ToListAsync(),
        Receipts = await db.Receipts.AsNoTracking().OrderBy(r => r.Id).ToListAsync(),
        Deliveries = await db.EmailDeliveries.AsNoTracking().OrderBy(d => d.Key).ToListAsync(),
        Ledger = await db.LedgerEntries.AsNoTracking().OrderBy(e => e.Id).ToListAsync(),
    }));

    private async Task<List<StatementLine>> StatementLinesAsync(DonorData data)
    {
        await using var scope = App.Scope();
        var queries = scope.ServiceProvider.GetRequiredService<StatementQueries>();
        var lines = new List<StatementLine>();
        await foreach (var line in queries.LinesAsync(data.Burton, DonorData.PaidAt.AddDays(-1), DonorData.PaidAt.AddDays(1), CancellationToken.None))
        {
            lines.Add(line);
        }

        return lines;
    }
}
