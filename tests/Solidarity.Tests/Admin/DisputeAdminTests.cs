using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Disputes;
using Solidarity.Core.Donations;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Forms;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Pages.Admin;
using Solidarity.Web.Pages.Admin.Disputes;

namespace Solidarity.Tests.Admin;

public sealed class DisputeAdminTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public async Task Admin_creates_a_dispute_unpublished_with_its_workplaces_shares_and_an_action()
    {
        var (client, _, seeded, editPath) = await CreateArgosAsync();
        using var _ = client;

        var dispute = await App.WithDbAsync(db => db.Disputes.AsNoTracking()
            .Include(d => d.Workplaces).Include(d => d.Beneficiaries).Include(d => d.Actions)
            .SingleAsync());
        Assert.Equal($"/admin/disputes/{dispute.Id}/edit", editPath.OriginalString);
        Assert.Equal("argos-warehouses-2017", dispute.Slug);
        Assert.Equal(seeded.UnionId, dispute.UnionId);
        Assert.Equal(DisputeStatus.TakingAction, dispute.Status);
        Assert.Equal(1400, dispute.WorkersInvolved);
        Assert.Equal(2_500_050, dispute.TargetPence);
        Assert.False(dispute.IsPublished);
        Assert.Equal(["Burton DC", "Lutterworth DC"], dispute.Workplaces.Select(w => w.Name).Order());
        Assert.Equal(seeded.LutterworthBranchId, dispute.Workplaces.Single(w => w.Town == "Lutterworth").BranchId);
        Assert.Equal(6667, dispute.Beneficiaries.Single(b => b.BranchId == seeded.BurtonBranchId).ShareBasisPoints);
        Assert.Equal(3333, dispute.Beneficiaries.Single(b => b.BranchId == seeded.LutterworthBranchId).ShareBasisPoints);
        var strike = Assert.Single(dispute.Actions);
        Assert.Equal(ActionKind.Strike, strike.Kind);

        // 06:00 and 05:59 on London clocks in May are British Summer Time, an hour ahead of UTC.
        Assert.Equal(new DateTimeOffset(2017, 5, 17, 5, 0, 0, TimeSpan.Zero), strike.StartsAt);
        Assert.Equal(new DateTimeOffset(2017, 5, 31, 4, 59, 0, TimeSpan.Zero), strike.EndsAt);
    }

    [Fact]
    public async Task A_new_dispute_is_off_the_public_site_until_it_is_published()
    {
        var (client, _, _, editPath) = await CreateArgosAsync();
        using var _ = client;
        using var anonymous = App.CreateClient();
        using (var unpublished = await anonymous.GetAsync("/disputes/argos-warehouses-2017"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unpublished.StatusCode);
        }

        var editPage = await HtmlForm.ParseAsync(await client.GetAsync(editPath));
        Assert.Contains("Not published", editPage.QuerySelector(".publish-bar")!.TextContent, StringComparison.Ordinal);
        using var published = await HtmlForm.From(client, editPage, "form[action*='handler=Publish']").SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        Assert.True(await App.WithDbAsync(db => db.Disputes.Select(d => d.IsPublished).SingleAsync()));

        var listed = await HtmlForm.ParseAsync(await client.GetAsync("/admin/disputes"));
        Assert.Contains("Published", listed.QuerySelector("tr[data-dispute='argos-warehouses-2017']")!.TextContent, StringComparison.Ordinal);

        // Published, it is on the public site: its own page and a card on the home page.
        var publicPage = await HtmlForm.ParseAsync(await anonymous.GetAsync("/disputes/argos-warehouses-2017"));
        Assert.Equal("Argos warehouse strike", publicPage.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("Lutterworth DC", publicPage.Body!.TextContent, StringComparison.Ordinal);
        var home = await HtmlForm.ParseAsync(await anonymous.GetAsync("/"));
        Assert.NotNull(home.QuerySelector("a[href='/disputes/argos-warehouses-2017']"));
    }

    [Fact]
    public async Task Creating_and_publishing_a_dispute_are_audited_with_who_did_it_and_what_they_set()
    {
        var (client, admin, _, editPath) = await CreateArgosAsync();
        using var _ = client;
        var editPage = await HtmlForm.ParseAsync(await client.GetAsync(editPath));
        using var published = await HtmlForm.From(client, editPage, "form[action*='handler=Publish']").SubmitAsync();

        var disputeId = await App.WithDbAsync(db => db.Disputes.Select(d => d.Id).SingleAsync());
        var audit = await App.WithDbAsync(db => db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([AuditActions.DisputeCreated, AuditActions.DisputePublished], audit.Select(e => e.Action));
        Assert.All(audit, entry =>
        {
            Assert.Equal(admin.Id, entry.UserId);
            Assert.Equal(admin.Email, entry.UserName);
            Assert.Equal("Dispute", entry.SubjectType);
            Assert.Equal(disputeId.ToString(), entry.SubjectId);
        });
        using var createdDetails = JsonDocument.Parse(audit[0].Details!);
        Assert.Equal("argos-warehouses-2017", createdDetails.RootElement.GetProperty("fields").GetProperty("slug").GetString());
        Assert.Equal(2, createdDetails.RootElement.GetProperty("beneficiaries").GetArrayLength());
        using var publishedDetails = JsonDocument.Parse(audit[1].Details!);
        Assert.True(publishedDetails.RootElement.GetProperty("isPublished").GetProperty("to").GetBoolean());
    }

    [Fact]
    public async Task The_new_dispute_form_sent_twice_creates_one_dispute_and_both_answers_lead_to_it()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var form = (await HtmlForm.GetAsync(client, "/admin/disputes/new")).Set(AdminData.NewDisputeValues(seeded));

        using var first = await form.SubmitAsync();
        using var second = await form.SubmitAsync();

        Assert.Equal((HttpStatusCode.Redirect, HttpStatusCode.Redirect), (first.StatusCode, second.StatusCode));
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        var id = await App.WithDbAsync(db => db.Disputes.Select(d => d.Id).SingleAsync());
        Assert.Equal($"/admin/disputes/{id}/edit", second.Headers.Location!.OriginalString);
        var page = await HtmlForm.ParseAsync(await client.GetAsync(second.Headers.Location));
        Assert.Contains("That dispute was already created", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Single(await App.WithDbAsync(db => db.AuditEntries.Where(a => a.Action == AuditActions.DisputeCreated).ToListAsync()));
    }

    [Fact]
    public async Task The_new_dispute_form_sent_twice_at_once_creates_one_dispute_and_both_answers_lead_to_it()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var form = (await HtmlForm.GetAsync(client, "/admin/disputes/new")).Set(AdminData.NewDisputeValues(seeded));

        var answers = await Task.WhenAll(form.SubmitAsync(), form.SubmitAsync());

        using var first = answers[0];
        using var second = answers[1];
        Assert.Equal((HttpStatusCode.Redirect, HttpStatusCode.Redirect), (first.StatusCode, second.StatusCode));
        var id = await App.WithDbAsync(db => db.Disputes.Select(d => d.Id).SingleAsync());
        Assert.All(answers, a => Assert.Equal($"/admin/disputes/{id}/edit", a.Headers.Location!.OriginalString));
    }

    [Fact]
    public async Task Unpublishing_takes_the_dispute_off_and_is_audited()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var id = await AdminData.DisputeAsync(App, seeded);
        await App.WithDbAsync(db => db.Disputes.Where(d => d.Id == id).ExecuteUpdateAsync(s => s.SetProperty(d => d.IsPublished, true)));
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        var form = await HtmlForm.GetAsync(client, $"/admin/disputes/{id}/edit", "form[action*='handler=Unpublish']");
        using var response = await form.SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.False(await App.WithDbAsync(db => db.Disputes.Select(d => d.IsPublished).SingleAsync()));
        Assert.Equal(AuditActions.DisputeUnpublished, (await App.WithDbAsync(db => db.AuditEntries.SingleAsync())).Action);
        var slug = await App.WithDbAsync(db => db.Disputes.Select(d => d.Slug).SingleAsync());
        using var publicPage = await App.CreateClient().GetAsync($"/disputes/{slug}");
        Assert.Equal(HttpStatusCode.NotFound, publicPage.StatusCode);
    }

    [Fact]
    public async Task Shares_that_do_not_add_up_to_100_percent_are_refused_and_nothing_is_saved()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var values = AdminData.NewDisputeValues(seeded);
        values["Input.Beneficiaries[0].Share"] = "60";
        values["Input.Beneficiaries[1].Share"] = "30";

        var form = await HtmlForm.GetAsync(client, "/admin/disputes/new");
        using var response = await form.Set(values).SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await HtmlForm.ParseAsync(response);
        Assert.Contains($"{DisputeForm.SharesMustTotalMessage}; these add up to 90%.", page.QuerySelector("[data-valmsg-for='Input.Beneficiaries']")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Argos warehouse strike", HtmlForm.From(client, page).Value("Input.Title"));
        Assert.Equal(0, await App.WithDbAsync(db => db.Disputes.CountAsync()));
        Assert.Equal(0, await App.WithDbAsync(db => db.AuditEntries.CountAsync()));
    }

    [Theory]
    [InlineData("\uFF15\uFF10")]
    [InlineData("\u0665\u0660")]
    [InlineData("50.5.5")]
    [InlineData("0")]
    public async Task A_share_that_is_not_a_percentage_in_plain_digits_is_refused_on_its_row_and_what_was_typed_is_kept(string share) =>
        Assert.StartsWith("Enter the share as a percentage", await RefusedAsync("Input.Beneficiaries[0].Share", share), StringComparison.Ordinal);

    [Fact]
    public async Task A_dispute_needs_at_least_one_beneficiary_branch()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var values = AdminData.NewDisputeValues(seeded);
        foreach (var row in new[] { 0, 1 })
        {
            values[$"Input.Beneficiaries[{row}].BranchId"] = "";
            values[$"Input.Beneficiaries[{row}].Share"] = "";
        }

        using var response = await (await HtmlForm.GetAsync(client, "/admin/disputes/new")).Set(values).SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Add at least one beneficiary branch", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await App.WithDbAsync(db => db.Disputes.CountAsync()));
    }

    [Theory]
    [InlineData("10.005", "fractions of a penny")]
    [InlineData("0", "more than £0")]
    [InlineData("0.00", "more than £0")]
    [InlineData("-50", "more than £0")]
    [InlineData("lots", "Enter the target in pounds, like 12.50.")]
    [InlineData("1e5", "Enter the target in pounds, like 12.50.")]
    public async Task An_invalid_target_is_refused_with_a_clear_message(string target, string message) =>
        Assert.Contains(message, await RefusedAsync("Input.Target", target), StringComparison.Ordinal);

    [Theory]
    [InlineData("1,400", 1400)]
    [InlineData("1 400", 1400)]
    [InlineData(" 85 ", 85)]
    [InlineData("", null)]
    public async Task Workers_involved_is_read_as_people_write_a_count(string typed, int? saved)
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var values = AdminData.NewDisputeValues(seeded);
        values["Input.WorkersInvolved"] = typed;

        using var response = await (await HtmlForm.GetAsync(client, "/admin/disputes/new")).Set(values).SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(saved, await App.WithDbAsync(db => db.Disputes.Select(d => d.WorkersInvolved).SingleAsync()));
    }

    [Theory]
    [InlineData("about 1400")]
    [InlineData("1.400")]
    [InlineData("14,00")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("20000000")]
    public async Task Workers_involved_that_is_not_a_whole_number_from_one_is_refused_and_what_was_typed_is_kept(string typed) =>
        Assert.Equal(DisputeForm.WorkersInvolvedMessage, await RefusedAsync("Input.WorkersInvolved", typed));

    [Fact]
    public async Task Text_longer_than_its_field_takes_is_refused_with_the_limit_in_words() =>
        Assert.Equal("Keep this to 4,000 characters or fewer.", await RefusedAsync("Input.OfflineGivingNotes", new string('x', 4_001)));

    /// <summary>Every field, not only those a check was written for: a character pasted from another program breaks the calendar feed.</summary>
    [Theory]
    [InlineData("Input.Actions[0].Title", "Two-week\vstrike")]
    [InlineData("Input.ChequePayee", "Unite WM7680\u202E Strike Fund")]
    [InlineData("Input.Workplaces[0].Town", "Burton\u0007")]
    public async Task A_character_no_keyboard_types_in_any_field_is_refused_and_what_was_typed_is_kept(string field, string typed) =>
        Assert.Equal(TypedText.Unprintable, await RefusedAsync(field, typed));

    [Fact]
    public async Task A_NUL_sent_in_a_multipart_form_is_refused_with_a_message_and_nothing_is_saved()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var values = AdminData.NewDisputeValues(seeded);
        values["Input.Employer"] = "Argos\0";

        using var response = await (await HtmlForm.GetAsync(client, "/admin/disputes/new")).Set(values).AsMultipart().SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await HtmlForm.ParseAsync(response);
        Assert.Equal(TypedText.Unprintable, page.QuerySelector("[data-valmsg-for='Input.Employer']")!.TextContent.Trim());
        Assert.Equal(0, await App.WithDbAsync(db => db.Disputes.CountAsync()));
    }

    [Fact]
    public async Task An_action_that_ends_before_it_starts_is_refused()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var values = AdminData.NewDisputeValues(seeded);
        values["Input.Actions[0].Ends"] = "2017-05-17T05:59";

        using var response = await (await HtmlForm.GetAsync(client, "/admin/disputes/new")).Set(values).SubmitAsync();

        var page = await HtmlForm.ParseAsync(response);
        Assert.Contains("The end must be after the start.", page.QuerySelector("[data-valmsg-for='Input.Actions[0].Ends']")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await App.WithDbAsync(db => db.Disputes.CountAsync()));
    }

    [Theory]
    [InlineData("Input.Actions[0].Starts", "2017-03-26T01:30")]
    [InlineData("Input.Actions[0].Ends", "2017-03-26T01:00")]
    public async Task An_action_time_the_clocks_skip_in_spring_is_refused_rather_than_read_an_hour_out(string field, string typed)
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var values = AdminData.NewDisputeValues(seeded);
        values["Input.Actions[0].Starts"] = "2017-03-26T00:30";
        values["Input.Actions[0].Ends"] = "2017-03-26T03:00";
        values[field] = typed;

        using var response = await (await HtmlForm.GetAsync(client, "/admin/disputes/new")).Set(values).SubmitAsync();

        var page = await HtmlForm.ParseAsync(response);
        Assert.Contains(LondonClock.SkippedTimeMessage, page.QuerySelector($"[data-valmsg-for='{field}']")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(typed, HtmlForm.From(client, page).Value(field));
        Assert.Equal(0, await App.WithDbAsync(db => db.Disputes.CountAsync()));
    }

    [Theory]
    [InlineData("Argos Strike")]
    [InlineData("argos--strike")]
    [InlineData("-argos")]
    [InlineData("argos_strike")]
    public async Task A_slug_that_is_not_lower_case_words_and_hyphens_is_refused(string slug)
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        var form = await HtmlForm.GetAsync(client, "/admin/disputes/new");
        using var response = await form.Set(AdminData.NewDisputeValues(seeded, slug)).SubmitAsync();

        var page = await HtmlForm.ParseAsync(response);
        Assert.Contains("lower-case letters", page.QuerySelector("[data-valmsg-for='Input.Slug']")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await App.WithDbAsync(db => db.Disputes.CountAsync()));
    }

    [Fact]
    public async Task A_slug_another_dispute_uses_is_refused()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        await AdminData.DisputeAsync(App, seeded, "argos-warehouses-2017");
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        var form = await HtmlForm.GetAsync(client, "/admin/disputes/new");
        using var response = await form.Set(AdminData.NewDisputeValues(seeded, "argos-warehouses-2017")).SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await HtmlForm.ParseAsync(response);
        Assert.Equal(DisputeForm.SlugTakenMessage, page.QuerySelector("[data-valmsg-for='Input.Slug']")!.TextContent.Trim());
        Assert.Equal(1, await App.WithDbAsync(db => db.Disputes.CountAsync()));
    }

    [Fact]
    public async Task Two_admins_adding_the_same_new_union_at_once_get_one_union_and_no_error_page()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (first, _) = await SignIn.AsAdminAsync(App, "first@example.org");
        var (second, _) = await SignIn.AsAdminAsync(App, "second@example.org");
        using var firstClient = first;
        using var secondClient = second;
        var forms = new List<HtmlForm>();
        foreach (var (client, slug) in new[] { (first, "gmb-dispute-one"), (second, "gmb-dispute-two") })
        {
            var values = AdminData.NewDisputeValues(seeded);
            values["Input.Slug"] = slug;
            values["Input.UnionId"] = "";
            values["Input.NewUnionName"] = "GMB";
            forms.Add((await HtmlForm.GetAsync(client, "/admin/disputes/new")).Set(values));
        }

        var answers = await Task.WhenAll(forms.Select(f => f.SubmitAsync()));

        foreach (var answer in answers)
        {
            using var _ = answer;
            if (answer.StatusCode != HttpStatusCode.Redirect)
            {
                // The one that lost the race is told, beside the union's name, to send the form again; nothing of it was saved.
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                var page = await HtmlForm.ParseAsync(answer);
                Assert.Equal(UnionChoice.NameTakenMessage, page.QuerySelector("[data-valmsg-for='Input.NewUnionName']")!.TextContent.Trim());
            }
        }

        Assert.Equal(1, await App.WithDbAsync(db => db.Unions.CountAsync(u => u.Name == "GMB")));
        var disputes = await App.WithDbAsync(db => db.Disputes.CountAsync());
        Assert.Equal(answers.Count(a => a.StatusCode == HttpStatusCode.Redirect), disputes);
    }

    [Fact]
    public async Task Changing_the_web_address_keeps_every_link_shared_under_the_old_one_working()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var id = await AdminData.DisputeAsync(App, seeded);
        await App.WithDbAsync(db => db.Disputes.ExecuteUpdateAsync(s => s.SetProperty(d => d.IsPublished, true)));
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        using var visitor = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var openedBefore = await HtmlForm.GetAsync(visitor, "/disputes/argos-warehouses-2017/message");

        using var saved = await RenameAsync(client, id, "argos-strike-2017");

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        foreach (var (old, now) in new[]
        {
            ("/disputes/argos-warehouses-2017", "/disputes/argos-strike-2017"),
            ("/disputes/argos-warehouses-2017/donate?amount=10", "/disputes/argos-strike-2017/donate?amount=10"),
            ("/disputes/argos-warehouses-2017/updates.atom", "/disputes/argos-strike-2017/updates.atom"),
            ("/disputes/argos-warehouses-2017/share.png", "/disputes/argos-strike-2017/share.png"),
        })
        {
            using var response = await visitor.GetAsync(old);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(now, response.Headers.Location!.OriginalString);
        }

        using (var page = await visitor.GetAsync("/disputes/argos-strike-2017"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        // What follows the name is carried over as it was written, encoded; a form sent to the old address is sent on whole.
        using (var encoded = await visitor.GetAsync("/disputes/argos-warehouses-2017/%C3%A9t%C3%A9%0D%0A"))
        {
            Assert.Equal(HttpStatusCode.Redirect, encoded.StatusCode);
            Assert.Equal("/disputes/argos-strike-2017/%C3%A9t%C3%A9%0D%0A", encoded.Headers.Location!.OriginalString);
        }

        using (var posted = await openedBefore.Set("Input.Body", "Solidarity from Leeds").SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.TemporaryRedirect, posted.StatusCode);
            Assert.Equal("/disputes/argos-strike-2017/message", posted.Headers.Location!.OriginalString);
        }

        using (var unknown = await visitor.GetAsync("/disputes/never-was-a-dispute"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        var former = await App.WithDbAsync(db => db.FormerSlugs.SingleAsync());
        Assert.Equal(("argos-warehouses-2017", id), (former.Slug, former.DisputeId));
    }

    [Fact]
    public async Task A_dispute_can_take_its_old_web_address_back_and_no_other_dispute_can_take_it()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var id = await AdminData.DisputeAsync(App, seeded);
        await App.WithDbAsync(db => db.Disputes.ExecuteUpdateAsync(s => s.SetProperty(d => d.IsPublished, true)));
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        using (var renamed = await RenameAsync(client, id, "argos-strike-2017"))
        {
            Assert.Equal(HttpStatusCode.Redirect, renamed.StatusCode);
        }

        var values = AdminData.NewDisputeValues(seeded);
        values["Input.Slug"] = "argos-warehouses-2017";
        using var taken = await (await HtmlForm.GetAsync(client, "/admin/disputes/new")).Set(values).SubmitAsync();
        var page = await HtmlForm.ParseAsync(taken);
        Assert.Contains(DisputeForm.SlugTakenMessage, page.QuerySelector("[data-valmsg-for='Input.Slug']")!.TextContent, StringComparison.Ordinal);

        using var back = await RenameAsync(client, id, "argos-warehouses-2017");

        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.Equal(["argos-strike-2017"], await App.WithDbAsync(db => db.FormerSlugs.Select(f => f.Slug).ToListAsync()));
        using var visitor = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using (var current = await visitor.GetAsync("/disputes/argos-warehouses-2017"))
        {
            Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        }

        using var previous = await visitor.GetAsync("/disputes/argos-strike-2017");
        Assert.Equal("/disputes/argos-warehouses-2017", previous.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_new_union_typed_by_name_is_created_with_the_dispute()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var values = AdminData.NewDisputeValues(seeded);
        values["Input.UnionId"] = "";
        values["Input.NewUnionName"] = "GMB";

        using var response = await (await HtmlForm.GetAsync(client, "/admin/disputes/new")).Set(values).SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var unionName = await App.WithDbAsync(db => db.Disputes.Select(d => d.Union.Name).SingleAsync());
        Assert.Equal("GMB", unionName);
        var actions = await App.WithDbAsync(db => db.AuditEntries.OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
        Assert.Equal([AuditActions.UnionCreated, AuditActions.DisputeCreated], actions);
    }

    [Fact]
    public async Task Editing_changes_fields_and_rows_and_records_what_changed()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var id = await AdminData.DisputeAsync(App, seeded);
        var (client, admin) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        var form = await HtmlForm.GetAsync(client, $"/admin/disputes/{id}/edit", "form.admin-form");
        Assert.Equal("20000", form.Value("Input.Target"));
        Assert.Equal("2017-05-17T06:00", form.Value("Input.Actions[0].Starts"));
        var lutterworthRow = form.Value("Input.Workplaces[0].Name") == "Lutterworth DC" ? 0 : 1;
        using var saved = await form
            .Set("Input.Title", "Argos warehouse strike: week two")
            .Set($"Input.Workplaces[{lutterworthRow}].Remove", "true")
            .Set("Input.Beneficiaries[0].Share", "50")
            .Set("Input.Beneficiaries[1].BranchId", seeded.LutterworthBranchId.ToString())
            .Set("Input.Beneficiaries[1].Share", "50")
            .Set("Input.Actions[1].Kind", "Demonstration")
            .Set("Input.Actions[1].Title", "Rally at the depot gates")
            .Set("Input.Actions[1].Starts", "2017-05-20T11:00")
            .Set("Input.Actions[1].Ends", "2017-05-20T13:00")
            .SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var dispute = await App.WithDbAsync(db => db.Disputes.AsNoTracking()
            .Include(d => d.Workplaces).Include(d => d.Beneficiaries).Include(d => d.Actions).SingleAsync());
        Assert.Equal("Argos warehouse strike: week two", dispute.Title);
        Assert.Equal("Burton DC", Assert.Single(dispute.Workplaces).Name);
        Assert.All(dispute.Beneficiaries, b => Assert.Equal(5_000, b.ShareBasisPoints));
        Assert.Equal(2, dispute.Actions.Count);
        Assert.Equal(new DateTimeOffset(2017, 5, 31, 4, 59, 0, TimeSpan.Zero), dispute.Actions.Single(a => a.Kind == ActionKind.Strike).EndsAt);

        var entry = await App.WithDbAsync(db => db.AuditEntries.SingleAsync());
        Assert.Equal(AuditActions.DisputeEdited, entry.Action);
        Assert.Equal(admin.Id, entry.UserId);
        using var details = JsonDocument.Parse(entry.Details!);
        Assert.Equal("Argos warehouse strike", details.RootElement.GetProperty("title").GetProperty("from").GetString());
        Assert.Equal("Argos warehouse strike: week two", details.RootElement.GetProperty("title").GetProperty("to").GetString());
        Assert.Equal(1, details.RootElement.GetProperty("workplaces").GetProperty("removed").GetArrayLength());
        Assert.Equal(1, details.RootElement.GetProperty("actions").GetProperty("added").GetArrayLength());
        Assert.False(details.RootElement.TryGetProperty("employer", out var _));
    }

    [Fact]
    public async Task Editing_only_an_actions_details_saves_them_and_records_the_change_without_their_words()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var id = await AdminData.DisputeAsync(App, seeded);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        var form = await HtmlForm.GetAsync(client, $"/admin/disputes/{id}/edit", "form.admin-form");
        using var saved = await form.Set("Input.Actions[0].Details", "Meet at gate 3 from 5am.").SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("Meet at gate 3 from 5am.", await App.WithDbAsync(db => db.DisputeActions.Select(a => a.Details).SingleAsync()));
        var entry = await App.WithDbAsync(db => db.AuditEntries.SingleAsync());
        Assert.Equal(AuditActions.DisputeEdited, entry.Action);

        // The audit log, which nothing edits, records that the details changed, not their words.
        Assert.Contains("actions", entry.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("gate 3", entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Removing_one_of_two_identical_workplaces_is_saved()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var id = await AdminData.DisputeAsync(App, seeded);
        await App.WithDbAsync(async db =>
        {
            var burton = await db.Workplaces.AsNoTracking().SingleAsync(w => w.Name == "Burton DC");
            db.Workplaces.Add(new Workplace { DisputeId = id, Name = burton.Name, Town = burton.Town, BranchId = burton.BranchId });
            await db.SaveChangesAsync();
        });
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        var form = await HtmlForm.GetAsync(client, $"/admin/disputes/{id}/edit", "form.admin-form");
        var row = Enumerable.Range(0, 3).First(i => form.Value($"Input.Workplaces[{i}].Name") == "Burton DC");
        using var saved = await form.Set($"Input.Workplaces[{row}].Remove", "true").SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal(1, await App.WithDbAsync(db => db.Workplaces.CountAsync(w => w.Name == "Burton DC")));
        Assert.Equal(AuditActions.DisputeEdited, await App.WithDbAsync(db => db.AuditEntries.Select(a => a.Action).SingleAsync()));
    }

    [Fact]
    public async Task Rows_naming_a_workplace_or_an_action_the_dispute_no_longer_has_are_refused_and_nothing_is_saved()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var id = await AdminData.DisputeAsync(App, seeded);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        // As when another admin removed them while this form was open.
        var form = await HtmlForm.GetAsync(client, $"/admin/disputes/{id}/edit", "form.admin-form");
        using var refused = await form
            .Set("Input.Title", "Argos warehouse strike: week two")
            .Set("Input.Workplaces[0].Id", Guid.NewGuid().ToString())
            .Set("Input.Actions[0].Id", Guid.NewGuid().ToString())
            .SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await HtmlForm.ParseAsync(refused);
        Assert.Equal(
            "This workplace is not part of this dispute any more. Reload the page.",
            page.QuerySelector("[data-valmsg-for='Input.Workplaces[0].Name']")!.TextContent.Trim());
        Assert.Equal(
            "This action is not part of this dispute any more. Reload the page.",
            page.QuerySelector("[data-valmsg-for='Input.Actions[0].Title']")!.TextContent.Trim());
        var dispute = await App.WithDbAsync(db => db.Disputes.AsNoTracking().Include(d => d.Workplaces).Include(d => d.Actions).SingleAsync());
        Assert.Equal("Argos warehouse strike", dispute.Title);
        Assert.Equal(2, dispute.Workplaces.Count);
        Assert.Single(dispute.Actions);
        Assert.Empty(await App.WithDbAsync(db => db.AuditEntries.ToListAsync()));
    }

    [Fact]
    public async Task A_stale_edit_is_refused_keeps_the_typed_changes_and_overwrites_only_when_saved_again()
    {
        var (first, firstForm) = await EditedMeanwhileAsync(form => form.Set("Input.Title", "Saved by the second admin"));
        using var firstClient = first;

        using var stale = await firstForm.Set("Input.Employer", "Argos (Sainsbury's)").SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        var page = await HtmlForm.ParseAsync(stale);
        Assert.Contains("Someone else saved this dispute", page.QuerySelector(".form-errors")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Saved by the second admin", page.QuerySelector(".stale")!.TextContent, StringComparison.Ordinal);
        var retry = HtmlForm.From(first, page, "form.admin-form");
        Assert.Equal("Argos (Sainsbury's)", retry.Value("Input.Employer"));
        var afterRefusal = await App.WithDbAsync(db => db.Disputes.AsNoTracking().SingleAsync());
        Assert.Equal("Saved by the second admin", afterRefusal.Title);
        Assert.Equal("Argos", afterRefusal.Employer);
        Assert.Single(await App.WithDbAsync(db => db.AuditEntries.ToListAsync()));

        using var overwrite = await retry.SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, overwrite.StatusCode);
        var afterOverwrite = await App.WithDbAsync(db => db.Disputes.AsNoTracking().SingleAsync());
        Assert.Equal("Argos (Sainsbury's)", afterOverwrite.Employer);
    }

    [Fact]
    public async Task Removing_a_branch_monthly_givers_chose_says_their_gifts_are_now_shared_and_so_does_the_givers_page()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var id = await AdminData.DisputeAsync(App, seeded);
        var token = await App.WithDbAsync(async db =>
        {
            await db.BeneficiaryBranches.AddAsync(new BeneficiaryBranch { DisputeId = id, BranchId = seeded.LutterworthBranchId, ShareBasisPoints = 4_000 });
            await db.BeneficiaryBranches.Where(b => b.DisputeId == id && b.BranchId == seeded.BurtonBranchId)
                .ExecuteUpdateAsync(b => b.SetProperty(x => x.ShareBasisPoints, 6_000));
            var gift = new MonthlyGift
            {
                DisputeId = id, ChosenBranchId = seeded.LutterworthBranchId, AmountPence = 500, DonorName = "Jo Bloggs", Email = "jo@example.org",
                Status = MonthlyGiftStatus.Active, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            };
            db.MonthlyGifts.Add(gift);
            await db.SaveChangesAsync();
            var created = new Solidarity.Web.Pages.Donations.Monthly.MonthlyGiftLinks(db, TimeProvider.System).Create(gift.Id);
            await db.SaveChangesAsync();
            return created;
        });
        using var visitor = App.CreateClient();
        Assert.Contains("to Lutterworth", await visitor.GetStringAsync(Solidarity.Web.Pages.Donations.Monthly.MonthlyGiftLinks.PathFor(token)), StringComparison.Ordinal);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var signedIn = client;

        var form = await HtmlForm.GetAsync(client, $"/admin/disputes/{id}/edit", "form.admin-form");
        var lutterworthRow = form.Value("Input.Beneficiaries[0].BranchId") == seeded.LutterworthBranchId.ToString() ? 0 : 1;
        using var saved = await form
            .Set($"Input.Beneficiaries[{lutterworthRow}].BranchId", "")
            .Set($"Input.Beneficiaries[{lutterworthRow}].Share", "")
            .Set($"Input.Beneficiaries[{1 - lutterworthRow}].Share", "100")
            .SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page = await HtmlForm.ParseAsync(await client.GetAsync(saved.Headers.Location));
        Assert.Contains("One monthly gift gave to a branch that is no longer a beneficiary", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains("shared across the dispute&#x27;s branches", await visitor.GetStringAsync(Solidarity.Web.Pages.Donations.Monthly.MonthlyGiftLinks.PathFor(token)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ending_a_dispute_on_its_edit_page_is_explained_beside_the_status_and_when_saved()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var id = await AdminData.DisputeAsync(App, seeded);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var edit = await HtmlForm.ParseAsync(await client.GetAsync($"/admin/disputes/{id}/edit"));
        Assert.Contains("its monthly gifts are paused", edit.QuerySelector("#status-hint")!.TextContent, StringComparison.Ordinal);

        using var saved = await HtmlForm.From(client, edit, "form.admin-form").Set("Input.Status", nameof(DisputeStatus.Won)).SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page = await HtmlForm.ParseAsync(await client.GetAsync(saved.Headers.Location));
        Assert.Contains("The dispute has ended: its monthly gifts are being paused", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(DisputeStatus.Won, await App.WithDbAsync(db => db.Disputes.Select(d => d.Status).SingleAsync()));
    }

    [Fact]
    public async Task A_refused_save_shows_the_other_version_whole_in_the_forms_terms_and_marks_what_differs()
    {
        var (first, firstForm) = await EditedMeanwhileAsync(form => form
            .Set("Input.Body", "Rewritten by the second admin.\nWith a second line.").Set("Input.Target", "250"));
        using var firstClient = first;

        using var stale = await firstForm.Set("Input.Employer", "Argos (Sainsbury's)").SubmitAsync();

        var page = await HtmlForm.ParseAsync(stale);
        var fields = page.QuerySelectorAll(".stale dt").Zip(page.QuerySelectorAll(".stale dd"))
            .ToDictionary(f => f.First.TextContent.Replace(" (differs from yours)", "", StringComparison.Ordinal), f => (Value: f.Second.TextContent, Differs: f.First.TextContent.Contains("differs", StringComparison.Ordinal)));
        Assert.Equal(("Rewritten by the second admin.\nWith a second line.", true), fields["Why the workers are out"]);
        Assert.Equal(("£250", true), fields["Fundraising target"]);
        Assert.Equal(("Argos", true), fields["Employer"]);
        Assert.Equal(("Strike \"Two-week continuous strike\" 2017-05-17 06:00 to 2017-05-31 05:59", false), fields["Actions (UK time)"]);
        Assert.False(fields["Title"].Differs);
    }

    [Fact]
    public async Task Admin_lists_disputes_including_unpublished_ones()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        await AdminData.DisputeAsync(App, seeded, "unpublished-one");
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        var page = await HtmlForm.ParseAsync(await client.GetAsync("/admin/disputes"));

        var row = page.QuerySelector("tr[data-dispute='unpublished-one']");
        Assert.NotNull(row);
        Assert.Contains("Not published", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Taking action", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_edit_page_lists_the_disputes_updates_and_sends_the_admin_to_write_one()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var id = await AdminData.DisputeAsync(App, seeded);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        var page = await HtmlForm.ParseAsync(await client.GetAsync($"/admin/disputes/{id}/edit"));

        Assert.Contains("No updates yet.", page.QuerySelector(".news")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector(".news form"));
        var write = page.QuerySelectorAll(".news a").Single(a => a.TextContent == "Write an update").GetAttribute("href")!;
        Assert.Equal($"/admin/disputes/{id}/updates/write", write, ignoreCase: true);
        using var writer = await client.GetAsync(write);
        Assert.NotNull((await HtmlForm.ParseAsync(writer)).QuerySelector("form.update-writer"));
    }

    [Fact]
    public async Task Editing_an_unknown_dispute_answers_404()
    {
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        using var response = await client.GetAsync($"/admin/disputes/{Guid.NewGuid()}/edit");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>
    /// Submits a new dispute, valid but for <paramref name="field"/> typed as <paramref name="typed"/>: it is refused, the
    /// form comes back with what was typed in it, and nothing is saved.
    /// </summary>
    /// <returns>The message shown at the field.</returns>
    private async Task<string> RefusedAsync(string field, string typed)
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;
        var values = AdminData.NewDisputeValues(seeded);
        values[field] = typed;

        using var response = await (await HtmlForm.GetAsync(client, "/admin/disputes/new")).Set(values).SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await HtmlForm.ParseAsync(response);
        Assert.Equal(typed, HtmlForm.From(client, page).Value(field));
        Assert.Equal("Argos warehouse strike", HtmlForm.From(client, page).Value("Input.Title"));
        Assert.Equal(0, await App.WithDbAsync(db => db.Disputes.CountAsync()));
        return page.QuerySelector($"[data-valmsg-for='{field}']")!.TextContent.Trim();
    }

    /// <summary>An admin signed in creates the Argos dispute through the form: their client, their account, the union and branches, and where the form sent them.</summary>
    private async Task<(HttpClient Client, TestAccount Admin, AdminData.Seeded Seeded, Uri EditPath)> CreateArgosAsync()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var (client, admin) = await SignIn.AsAdminAsync(App);
        var form = await HtmlForm.GetAsync(client, "/admin/disputes/new");
        using var created = await form.Set(AdminData.NewDisputeValues(seeded)).SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        return (client, admin, seeded, created.Headers.Location!);
    }

    private static async Task<HttpResponseMessage> RenameAsync(HttpClient client, Guid id, string slug) =>
        await (await HtmlForm.GetAsync(client, $"/admin/disputes/{id}/edit", "form.admin-form")).Set("Input.Slug", slug).SubmitAsync();

    /// <summary>
    /// Two admins open the Argos dispute's form, and the second saves <paramref name="change"/> first: the first admin's
    /// client and form, which is now stale.
    /// </summary>
    private async Task<(HttpClient First, HtmlForm FirstForm)> EditedMeanwhileAsync(Func<HtmlForm, HtmlForm> change)
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var id = await AdminData.DisputeAsync(App, seeded);
        var (first, _) = await SignIn.AsAdminAsync(App, "first@example.org");
        var (second, _) = await SignIn.AsAdminAsync(App, "second@example.org");
        using var secondClient = second;
        var firstForm = await HtmlForm.GetAsync(first, $"/admin/disputes/{id}/edit", "form.admin-form");
        using var saved = await change(await HtmlForm.GetAsync(second, $"/admin/disputes/{id}/edit", "form.admin-form")).SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        return (first, firstForm);
    }
}
