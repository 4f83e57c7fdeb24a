using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Core.Audit;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Admin;
using Solidarity.Web.Pages.Admin.Branches;

namespace Solidarity.Tests.Admin;

public sealed class BranchAndAuditTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public async Task Admin_adds_and_edits_a_branch_and_both_are_audited()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, admin) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        var form = await HtmlForm.GetAsync(client, "/admin/branches/new");
        using var created = await form
            .Set("Input.Code", "nw1234")
            .Set("Input.Name", "Heywood Distribution")
            .Set("Input.UnionId", seeded.UnionId.ToString())
            .Set("Input.PostalAddress", "Unite Rochdale Office\nPO Box 300\nRochdale\nOL16 1AA")
            .Set("Input.ContactName", "Branch Secretary (demo)")
            .SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var branch = await App.WithDbAsync(db => db.Branches.AsNoTracking().SingleAsync(b => b.Code == "NW1234"));

        var edit = await HtmlForm.GetAsync(client, $"/admin/branches/{branch.Id}/edit");
        using var edited = await edit.Set("Input.ContactEmail", "heywood@example.org").SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);
        Assert.Equal("heywood@example.org", await App.WithDbAsync(db => db.Branches.Where(b => b.Id == branch.Id).Select(b => b.ContactEmail).SingleAsync()));

        var audit = await App.WithDbAsync(db => db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([AuditActions.BranchCreated, AuditActions.BranchEdited], audit.Select(e => e.Action));
        Assert.All(audit, e => Assert.Equal((admin.Id, admin.Email, "Branch", branch.Id.ToString()), (e.UserId, e.UserName, e.SubjectType, e.SubjectId)));
        using var details = JsonDocument.Parse(audit[1].Details!);
        Assert.Equal("heywood@example.org", details.RootElement.GetProperty("contactEmail").GetProperty("to").GetString());
        Assert.Single(details.RootElement.EnumerateObject());
    }

    [Fact]
    public async Task Admin_chooses_to_publish_a_branchs_books_only_as_of_its_statement_and_it_is_audited()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, admin) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var branchId = await App.WithDbAsync(db => db.Branches.Select(b => b.Id).FirstAsync());

        var edit = await HtmlForm.GetAsync(client, $"/admin/branches/{branchId}/edit");
        Assert.Null(edit.Element.QuerySelector("input[type=checkbox][name='Input.BooksAsOfStatement'][checked]"));
        using var edited = await edit.Set("Input.BooksAsOfStatement", "true").SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);
        Assert.True(await App.WithDbAsync(db => db.Branches.Where(b => b.Id == branchId).Select(b => b.BooksAsOfStatement).SingleAsync()));
        var audit = await App.WithDbAsync(db => db.AuditEntries.AsNoTracking().SingleAsync());
        Assert.Equal((AuditActions.BranchEdited, admin.Id, branchId.ToString()), (audit.Action, audit.UserId, audit.SubjectId));
        using var details = JsonDocument.Parse(audit.Details!);
        Assert.Equal("yes", details.RootElement.GetProperty("booksAsOfStatement").GetProperty("to").GetString());
        Assert.NotEqual(Guid.Empty, seeded.UnionId);
    }

    [Fact]
    public async Task An_edit_made_from_a_form_someone_else_saved_over_is_refused_and_keeps_what_was_typed()
    {
        await AdminData.UnionAndBranchesAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var branchId = await App.WithDbAsync(db => db.Branches.OrderBy(b => b.Code).Select(b => b.Id).FirstAsync());
        var path = $"/admin/branches/{branchId}/edit";
        var first = await HtmlForm.GetAsync(client, path);
        var second = await HtmlForm.GetAsync(client, path);

        // Every payment locks its branches: a lock is not a change, and leaves the form current.
        await App.WithDbAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.Database.ExecuteSqlInterpolatedAsync($"""SELECT 1 FROM "Branches" WHERE "Id" = {branchId} FOR UPDATE""");
            await transaction.CommitAsync();
        });
        using var saved = await first.Set("Input.ContactEmail", "treasurer@example.org").SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        using var refused = await second.Set("Input.Name", "Renamed from an old form").SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await HtmlForm.ParseAsync(refused);
        Assert.Contains(BranchForm.StaleMessage, page.QuerySelector(".form-errors")?.TextContent, StringComparison.Ordinal);
        Assert.Contains("treasurer@example.org", page.QuerySelector("#stale-heading + dl")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("Renamed from an old form", page.QuerySelector("input[name='Input.Name']")?.GetAttribute("value"));
        var branch = await App.WithDbAsync(db => db.Branches.AsNoTracking().SingleAsync(b => b.Id == branchId));
        Assert.Equal("treasurer@example.org", branch.ContactEmail);
        Assert.NotEqual("Renamed from an old form", branch.Name);
        Assert.Equal(1, await App.WithDbAsync(db => db.AuditEntries.CountAsync()));

        // Saving again, having seen the other version, replaces it.
        using var replaced = await HtmlForm.From(client, page).SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, replaced.StatusCode);
        Assert.Equal("Renamed from an old form", await App.WithDbAsync(db => db.Branches.Where(b => b.Id == branchId).Select(b => b.Name).SingleAsync()));
    }

    [Fact]
    public async Task A_branch_code_already_in_use_is_refused()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        var form = await HtmlForm.GetAsync(client, "/admin/branches/new");
        using var response = await form
            .Set("Input.Code", "wm7680")
            .Set("Input.Name", "Another branch")
            .Set("Input.UnionId", seeded.UnionId.ToString())
            .Set("Input.PostalAddress", "Somewhere")
            .Set("Input.ContactName", "Secretary")
            .SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(BranchForm.CodeTakenMessage, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await App.WithDbAsync(db => db.Branches.CountAsync()));
        Assert.Equal(0, await App.WithDbAsync(db => db.AuditEntries.CountAsync()));
    }

    [Fact]
    public async Task Audit_log_lists_entries_newest_first_in_pages()
    {
        await App.WithDbAsync(async db =>
        {
            for (var i = 1; i <= AuditModel.PageSize + 5; i++)
            {
                db.AuditEntries.Add(new AuditEntry
                {
                    At = DateTimeOffset.UtcNow, UserName = "admin@example.org", Action = "dispute.edited", SubjectType = "Dispute", SubjectId = $"d{i}",
                });
            }

            await db.SaveChangesAsync();
        });
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        var first = await HtmlForm.ParseAsync(await client.GetAsync("/admin/audit"));
        var firstRows = first.QuerySelectorAll("tr[data-audit-id]").Select(r => long.Parse(r.GetAttribute("data-audit-id")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(AuditModel.PageSize, firstRows.Count);
        Assert.Equal(firstRows.OrderByDescending(id => id), firstRows);
        Assert.Contains($"d{AuditModel.PageSize + 5}", first.QuerySelector("tr[data-audit-id]")!.TextContent, StringComparison.Ordinal);

        var second = await HtmlForm.ParseAsync(await client.GetAsync("/admin/audit?page=2"));
        var secondRows = second.QuerySelectorAll("tr[data-audit-id]").ToList();
        Assert.Equal(5, secondRows.Count);
        Assert.Contains("d1", secondRows[^1].TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public async Task Audit_log_answers_400_to_a_bad_page_number(string page)
    {
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        using var response = await client.GetAsync($"/admin/audit?page={Uri.EscapeDataString(page)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Admin_keeps_the_second_factor_when_the_security_stamp_is_revalidated()
    {
        // Re-validating on every request stands in for the half-hour interval passing.
        await using var everyRequest = App.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.Zero)));
        using var client = (await SignIn.AsAdminAsync(everyRequest)).Client;

        using var first = await client.GetAsync("/admin");
        using var second = await client.GetAsync("/admin/disputes");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }
}
