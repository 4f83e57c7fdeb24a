using System.Net;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Messages;
using Solidarity.Core.Receipts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Admin;
using Solidarity.Web.Pages.Admin.Donors;

namespace Solidarity.Tests.Privacy;

/// <summary>
/// A donor who gave without an email address, found by their receipt's number at /admin/donors/gift and erased at their
/// request: the person goes from the gift, its message and its receipt; the money stays.
/// </summary>
public sealed class GiftErasureTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string Reason = "Request by letter of 3 June";
    private const string KimReference = "Cheque 5551 K ELSEWHERE";
    private const string KimMessage = "From the Elsewhere family: stay out, stay strong.";

    [Fact]
    public async Task A_gift_without_an_email_is_found_by_its_receipt_number_as_typed_in_any_case()
    {
        var (_, number) = await KimWithoutEmailAsync();
        var (client, _) = await SignIn.AsAdminAsync(App);

        var page = await FindAsync(client, "  " + number.ToLowerInvariant() + " ");

        var gift = page.QuerySelector("[data-testid=gift]")!.TextContent;
        Assert.Contains(DonorData.KimName, gift, StringComparison.Ordinal);
        Assert.Contains(KimReference, gift, StringComparison.Ordinal);
        Assert.Contains("£7.00", gift, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("#erase-form"));
    }

    [Fact]
    public async Task Erasing_it_removes_the_person_from_the_gift_its_message_and_its_receipt_and_keeps_the_money_and_the_number()
    {
        var (data, number) = await KimWithoutEmailAsync();
        var (client, _) = await SignIn.AsAdminAsync(App);
        var ledgerBefore = await LedgerAsync();

        using var erased = await EraseAsync(client, number);

        Assert.Equal(HttpStatusCode.Redirect, erased.StatusCode);
        var notice = (await HtmlForm.ParseAsync(await client.GetAsync(erased.Headers.Location))).QuerySelector(".notice")!.TextContent;
        Assert.StartsWith("Erased the donor's personal data from the gift, 1 message and 1 receipt or credit note", notice, StringComparison.Ordinal);

        var kim = await App.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync(d => d.Id == data.Kim));
        Assert.Null(kim.DonorName);
        Assert.Null(kim.Reference);
        Assert.NotNull(kim.ErasedAt);
        Assert.Equal(700, kim.AmountPence);
        var message = await App.WithDbAsync(db => db.SupportMessages.AsNoTracking().SingleAsync(m => m.DonationId == data.Kim));
        Assert.Equal(DonorErasure.MessageRemoved, message.Body);
        Assert.Null(message.AuthorName);

        var receipt = await App.WithDbAsync(db => db.Receipts.AsNoTracking().SingleAsync(r => r.DonationId == data.Kim));
        Assert.Equal(number, receipt.Number);
        var text = string.Join('\n', PdfTextReader.AllPieces(receipt.Pdf));
        Assert.Contains(number, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Elsewhere", text, StringComparison.Ordinal);
        Assert.Equal(ledgerBefore, await LedgerAsync());

        // The other donors keep their names.
        var others = await App.WithDbAsync(db => db.Donations.AsNoTracking().Where(d => d.Id != data.Kim).Select(d => d.DonorName).ToListAsync());
        Assert.All(others, name => Assert.NotNull(name));
    }

    [Fact]
    public async Task The_erasure_is_audited_by_the_gifts_id_with_its_reason_and_counts_and_without_the_name()
    {
        var (data, number) = await KimWithoutEmailAsync();
        var (client, _) = await SignIn.AsAdminAsync(App);

        using var _ = await EraseAsync(client, number);

        var entry = await App.WithDbAsync(db => db.AuditEntries.AsNoTracking().SingleAsync(a => a.Action == AuditActions.DonorErased));
        Assert.Equal(DonorAuditSubjects.Gift, entry.SubjectType);
        Assert.Equal(data.Kim.ToString(), entry.SubjectId);
        Assert.Contains(Reason, entry.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("Elsewhere", entry.Details, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(number, entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasing_twice_changes_nothing_the_second_time_and_the_page_says_when_it_was_erased()
    {
        var (_, number) = await KimWithoutEmailAsync();
        var (client, _) = await SignIn.AsAdminAsync(App);
        var form = HtmlForm.From(client, await FindAsync(client, number), "#erase-form").Set("Input.Reason", Reason).Set("Input.Confirm", "true");
        using (var first = await form.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        }

        // The same form sent again, as from a second tab opened before the first erasure.
        using var second = await form.SubmitAsync();
        var notice = (await HtmlForm.ParseAsync(await client.GetAsync(second.Headers.Location))).QuerySelector(".notice")!.TextContent;
        Assert.StartsWith("Nothing to erase: this gift's donor was already erased on", notice, StringComparison.Ordinal);
        var page = await FindAsync(client, number);
        Assert.NotNull(page.QuerySelector("[data-testid=already-erased]"));
        Assert.Null(page.QuerySelector("#erase-form"));
        Assert.Equal(1, await App.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == AuditActions.DonorErased)));
    }

    [Fact]
    public async Task A_gift_given_with_an_email_is_sent_to_the_address_page_and_cannot_be_erased_alone()
    {
        var data = await DonorData.SeedAsync(App);
        var joNumber = await App.WithDbAsync(db => db.Receipts.Where(r => r.DonationId == data.JoCheque).Select(r => r.Number).SingleAsync());
        var (client, _) = await SignIn.AsAdminAsync(App);

        var page = await FindAsync(client, joNumber);

        Assert.Equal(GiftModel.GivenWithEmailMessage, page.QuerySelector("[data-testid=given-with-email]")!.TextContent.Trim());
        Assert.Null(page.QuerySelector("#erase-form"));

        // Nothing of the gift: receipt numbers run in sequence, and must not list the donors who gave an address.
        Assert.Null(page.QuerySelector("[data-testid=gift]"));
        foreach (var personal in new[] { DonorData.JoEmail, DonorData.JoName, DonorData.JoOrganisation, DonorData.JoChequeReference })
        {
            Assert.DoesNotContain(personal, page.Body!.TextContent, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("SOL-1999-000001", "", "true", GiftModel.NotFoundMessage)]
    [InlineData(null, "", "true", "Give the reason for erasing")]
    [InlineData(null, "Asked by kim elsewhere in person", "true", "Leave the donor's name out of the reason")]
    [InlineData(null, "Asked in person; the same as Kim Elsewhere's sister", "true", "Leave the donor's name out of the reason")]
    [InlineData(null, Reason, "false", "Tick the box to confirm")]
    public async Task Erasure_with_a_wrong_number_no_reason_a_named_reason_or_no_confirmation_is_refused_and_changes_nothing(
        string? wrongNumber, string reason, string confirm, string error)
    {
        var (data, number) = await KimWithoutEmailAsync();
        var (client, _) = await SignIn.AsAdminAsync(App);
        var form = HtmlForm.From(client, await FindAsync(client, number), "#erase-form")
            .Set("Input.Number", wrongNumber ?? number).Set("Input.Reason", reason).Set("Input.Confirm", confirm);

        using var response = await form.SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(error, (await HtmlForm.ParseAsync(response)).Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(DonorData.KimName, await App.WithDbAsync(db => db.Donations.Where(d => d.Id == data.Kim).Select(d => d.DonorName).SingleAsync()));
        Assert.Equal(0, await App.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == AuditActions.DonorErased)));
    }

    [Fact]
    public async Task The_address_page_leads_to_the_gift_page()
    {
        var (client, _) = await SignIn.AsAdminAsync(App);
        var page = await HtmlForm.ParseAsync(await client.GetAsync("/admin/donors"));
        Assert.NotNull(page.QuerySelector("a[href='/admin/donors/gift']"));
    }

    /// <summary>The seeded donors, with Kim's cheque recorded without an email, with a reference and a message: Kim's receipt number.</summary>
    private async Task<(DonorData Data, string Number)> KimWithoutEmailAsync()
    {
        var data = await DonorData.SeedAsync(App);
        var number = await App.WithDbAsync(async db =>
        {
            await db.Donations.Where(d => d.Id == data.Kim)
                .ExecuteUpdateAsync(d => d.SetProperty(x => x.Email, (string?)null).SetProperty(x => x.Reference, KimReference));
            db.SupportMessages.Add(new SupportMessage
            {
                DisputeId = data.DisputeId, DonationId = data.Kim, AuthorName = DonorData.KimName, Body = KimMessage,
                Status = ModerationStatus.Approved, CreatedAt = DonorData.PaidAt, ModeratedAt = DonorData.PaidAt, ModeratedByName = "moderator@example.org",
            });
            await db.SaveChangesAsync();
            return await db.Receipts.Where(r => r.DonationId == data.Kim && r.Kind == ReceiptKind.Receipt).Select(r => r.Number).SingleAsync();
        });
        return (data, number);
    }

    private static async Task<IDocument> FindAsync(HttpClient client, string number)
    {
        var form = await HtmlForm.GetAsync(client, "/admin/donors/gift", "#find-form");
        using var response = await form.Set("Input.Number", number).SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await HtmlForm.ParseAsync(response);
    }

    private static async Task<HttpResponseMessage> EraseAsync(HttpClient client, string number) =>
        await HtmlForm.From(client, await FindAsync(client, number), "#erase-form").Set("Input.Reason", Reason).Set("Input.Confirm", "true").SubmitAsync();

    private Task<string> LedgerAsync() => App.WithDbAsync(async db => string.Join(
        '\n', await db.LedgerEntries.AsNoTracking().OrderBy(e => e.Id).Select(e => $"{e.Key} {e.AmountPence}").ToListAsync()));
}
