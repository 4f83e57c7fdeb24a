using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Accounts;
using Solidarity.Core.Disputes;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Tests.Messages;
using Solidarity.Web.Pages.Admin;
using Solidarity.Web.Pages.Admin.Updates;

namespace Solidarity.Tests.Updates;

public sealed class UpdateTests(PublicSiteFixture fixture) : MessagesTest(fixture)
{
    private string WritePath(Guid? id = null) => $"/admin/disputes/{Argos.Id}/updates/write" + (id is null ? "" : $"/{id}");

    private async Task<HttpResponseMessage> WriteAsync(HttpClient admin, string handler, string title, string body, string? scheduleFor = null, string? newStatus = null, Guid? id = null)
    {
        List<KeyValuePair<string, string>> fields = [new("Input.Title", title), new("Input.Body", body)];
        if (scheduleFor is not null)
        {
            fields.Add(new("Input.ScheduleFor", scheduleFor));
        }

        if (newStatus is not null)
        {
            fields.Add(new("Input.NewStatus", newStatus));
        }

        if (id is not null)
        {
            var version = (await admin.GetPageAsync(WritePath(id))).QuerySelector("input[name='Input.Version']")!.GetAttribute("value")!;
            fields.Add(new("Input.Version", version));
        }

        return await admin.PostFormAsync(WritePath(id), fields, handler);
    }

    private Task<List<DisputeUpdate>> UpdatesAsync() =>
        App.WithDbAsync(db => db.DisputeUpdates.AsNoTracking().Include(u => u.Revisions).OrderBy(u => u.CreatedAt).ToListAsync());

    /// <summary>
    /// The news on the dispute page as a visitor served by <paramref name="site"/> sees it. A change is seen at once
    /// through the process that made it, which evicts its cached copy; other processes see it within the cache's lifetime.
    /// </summary>
    private static async Task<List<string>> PublicTitlesAsync(WebApplicationFactory<Program> site)
    {
        using var visitor = site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var page = await GetPageAsync(visitor, DisputePath);
        return page.QuerySelectorAll(".update h3").Select(h => h.TextContent).ToList();
    }

    [Fact]
    public async Task Preview_shows_the_rendered_sanitised_markdown_and_saves_nothing()
    {
        using var admin = await AdminAsync();

        using var response = await WriteAsync(admin, "Preview", "Court win",
            "# The **High Court** ruled\n\n<script>alert(1)</script> [read more](https://unite.example/news) [x](javascript:alert(1))");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        var preview = page.QuerySelector(".update-preview .update-body")!;
        Assert.Equal("The High Court ruled", preview.QuerySelector("h4")!.TextContent);
        Assert.Equal("High Court", preview.QuerySelector("h4 strong")!.TextContent);
        Assert.Empty(preview.QuerySelectorAll("script"));
        Assert.Contains("<script>alert(1)</script>", preview.TextContent, StringComparison.Ordinal);
        var links = preview.QuerySelectorAll("a").ToList();
        Assert.Equal("https://unite.example/news", links[0].GetAttribute("href"));
        Assert.Equal("nofollow noopener noreferrer", links[0].GetAttribute("rel"));
        Assert.All(links.Skip(1), a => Assert.Null(a.GetAttribute("href")));
        Assert.Equal("Court win", HtmlForm(page).Value);
        Assert.Empty(await UpdatesAsync());
    }

    private static AngleSharp.Html.Dom.IHtmlInputElement HtmlForm(AngleSharp.Html.Dom.IHtmlDocument page) =>
        (AngleSharp.Html.Dom.IHtmlInputElement)page.QuerySelector("input[name='Input.Title']")!;

    [Theory]
    [InlineData("Rally\vtonight", "Bring banners.", "Input.Title", "characters that cannot be shown")]
    [InlineData("Rally tonight", "Bring\fbanners.", "Input.Body", "characters that cannot be shown")]
    public async Task A_control_character_pasted_into_an_update_is_refused_with_a_message_and_nothing_is_saved(
        string title, string body, string field, string message)
    {
        using var admin = await AdminAsync();

        using var response = await WriteAsync(admin, "Publish", title, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Contains(message, page.QuerySelector($"[data-valmsg-for='{field}']")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(await UpdatesAsync());
    }

    [Fact]
    public async Task An_update_typed_over_several_lines_with_tabs_and_emoji_is_published()
    {
        using var admin = await AdminAsync();

        using var response = await WriteAsync(admin, "Publish", "Day 3 \U0001F4E3", "First line\r\n\r\n\tSecond line");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Single(await UpdatesAsync());
    }

    [Fact]
    public async Task Publishing_a_new_update_twice_from_one_form_publishes_it_once()
    {
        using var admin = await AdminAsync();
        var entryId = (await admin.GetPageAsync(WritePath())).QuerySelector("input[name='Input.EntryId']")!.GetAttribute("value")!;
        List<KeyValuePair<string, string>> fields = [new("Input.Title", "Picket at Magna Park"), new("Input.Body", "From 6am."), new("Input.EntryId", entryId)];

        // A double click: the two requests race, and one after the other.
        var both = await Task.WhenAll(admin.PostFormAsync(WritePath(), fields, "Publish"), admin.PostFormAsync(WritePath(), fields, "Publish"));
        using var third = await admin.PostFormAsync(WritePath(), fields, "Publish");

        Assert.All(both.Append(third), r => Assert.Equal(HttpStatusCode.Redirect, r.StatusCode));
        var update = Assert.Single(await UpdatesAsync());
        Assert.Equal(Guid.Parse(entryId), update.Id);
        var index = await admin.GetPageAsync(third.Headers.Location!.OriginalString);
        Assert.Contains("already saved", index.QuerySelector(".notice")!.TextContent, StringComparison.Ordinal);
        foreach (var response in both)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_draft_is_not_public_until_it_is_published()
    {
        using var admin = await AdminAsync();

        using var drafted = await WriteAsync(admin, "Draft", "Picket rota", "Rota to follow.");

        Assert.Equal(HttpStatusCode.Redirect, drafted.StatusCode);
        var draft = Assert.Single(await UpdatesAsync());
        Assert.Equal((UpdateStatus.Draft, (DateTimeOffset?)null), (draft.Status, draft.PublishedAt));
        Assert.Empty(await PublicTitlesAsync(App));

        Clock.Now = Clock.Now.AddMinutes(10);
        using var published = await WriteAsync(admin, "Publish", "Picket rota", "Rota: 06:00 to 10:00.", id: draft.Id);

        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        var now = Assert.Single(await UpdatesAsync());
        Assert.Equal((UpdateStatus.Published, Clock.Now), (now.Status, now.PublishedAt!.Value));
        Assert.Equal(["Picket rota"], await PublicTitlesAsync(App));
        var actions = await App.WithDbAsync(db => db.AuditEntries.Where(e => e.SubjectId == draft.Id.ToString()).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
        Assert.Equal([AuditActions.UpdateDrafted, AuditActions.UpdateEdited, AuditActions.UpdatePublished], actions);
    }

    [Fact]
    public async Task A_scheduled_update_is_published_by_the_job_at_its_London_time()
    {
        using var admin = await AdminAsync();

        using var scheduled = await WriteAsync(admin, "Schedule", "Rally on Saturday", "Meet at the gates.", scheduleFor: "2026-05-23T10:30");

        Assert.Equal(HttpStatusCode.Redirect, scheduled.StatusCode);
        var update = Assert.Single(await UpdatesAsync());
        var due = new DateTimeOffset(2026, 5, 23, 9, 30, 0, TimeSpan.Zero);
        Assert.Equal((UpdateStatus.Scheduled, due), (update.Status, update.ScheduledFor!.Value));

        Clock.Now = due.AddSeconds(-1);
        Assert.Equal(0, await RunAsync<PublishScheduledUpdatesJob, int>(job => job.RunAsync(CancellationToken.None)));
        Assert.Empty(await PublicTitlesAsync(App));

        Clock.Now = due.AddSeconds(40);
        Assert.Equal(1, await RunAsync<PublishScheduledUpdatesJob, int>(job => job.RunAsync(CancellationToken.None)));
        Assert.Equal(0, await RunAsync<PublishScheduledUpdatesJob, int>(job => job.RunAsync(CancellationToken.None)));

        var published = Assert.Single(await UpdatesAsync());
        Assert.Equal((UpdateStatus.Published, due), (published.Status, published.PublishedAt!.Value));
        Assert.Equal(["Rally on Saturday"], await PublicTitlesAsync(App));
    }

    [Theory]
    [InlineData("2026-05-20T11:59", "Choose a time in the future")]
    [InlineData("", "Give the date and time")]
    [InlineData("next Tuesday", "Give the date and time")]
    [InlineData("2027-03-28T01:30", "does not exist in the UK")]
    public async Task A_schedule_that_is_missing_past_or_impossible_is_refused(string scheduleFor, string message)
    {
        using var admin = await AdminAsync();

        using var response = await WriteAsync(admin, "Schedule", "Rally", "Meet at the gates.", scheduleFor: scheduleFor);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Contains(message, page.QuerySelector("[data-valmsg-for='Input.ScheduleFor']")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Meet at the gates.", page.QuerySelector("textarea[name='Input.Body']")!.TextContent.Trim());
        Assert.Empty(await UpdatesAsync());
    }

    [Fact]
    public async Task Scheduled_updates_are_published_exactly_once_when_several_workers_run_the_job_together()
    {
        var due = Clock.Now.AddMinutes(-1);
        await App.WithDbAsync(db =>
        {
            for (var i = 0; i < 30; i++)
            {
                db.DisputeUpdates.Add(new DisputeUpdate
                {
                    DisputeId = Argos.Id, Title = $"Update {i}", Body = "b", AuthorName = "a", Status = UpdateStatus.Scheduled, PublishedAt = null,
                    ScheduledFor = due.AddSeconds(-i), CreatedAt = due.AddHours(-1),
                });
            }

            return db.SaveChangesAsync();
        });

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RunAsync<PublishScheduledUpdatesJob, int>(job => job.RunAsync(CancellationToken.None))));

        Assert.Equal(30, runs.Sum());
        var audits = await App.WithDbAsync(db => db.AuditEntries.Where(e => e.Action == AuditActions.UpdatePublishedOnSchedule).Select(e => e.SubjectId).ToListAsync());
        Assert.Equal(30, audits.Distinct().Count());
        Assert.Equal(30, audits.Count);
        Assert.All(await UpdatesAsync(), u => Assert.Equal((UpdateStatus.Published, u.ScheduledFor), (u.Status, u.PublishedAt)));
    }

    [Fact]
    public async Task Editing_keeps_each_earlier_version_with_who_and_when()
    {
        using var admin = await AdminAsync();
        await WriteAsync(admin, "Publish", "Injunction hearing", "The hearing is on Friday.");
        var id = Assert.Single(await UpdatesAsync()).Id;
        Clock.Now = Clock.Now.AddMinutes(20);
        await WriteAsync(admin, "Publish", "Injunction refused", "The High Court turned down Argos's bid.", id: id);
        Clock.Now = Clock.Now.AddMinutes(20);
        await WriteAsync(admin, "Publish", "Injunction refused", "The High Court turned down Argos's bid: the second ruling against Argos.", id: id);

        var update = Assert.Single(await UpdatesAsync());
        Assert.Equal(("Injunction refused", TestClock0.AddMinutes(40)), (update.Title, update.EditedAt!.Value));
        Assert.Equal(TestClock0, update.PublishedAt!.Value);
        var revisions = update.Revisions.OrderBy(r => r.EditedAt).ToList();
        Assert.Equal(
            [("Injunction hearing", "The hearing is on Friday.", TestClock0.AddMinutes(20)), ("Injunction refused", "The High Court turned down Argos's bid.", TestClock0.AddMinutes(40))],
            revisions.Select(r => (r.PreviousTitle, r.PreviousBody, r.EditedAt)));
        Assert.All(revisions, r => Assert.Equal(("treasurer@example.org", Admin!.Id), (r.EditedByName, r.EditedByUserId!.Value)));

        var history = await admin.GetPageAsync($"/admin/updates/{id}/history");
        Assert.Equal(["Injunction refused", "Injunction hearing"], history.QuerySelectorAll(".revisions .revision h3").Select(h => h.TextContent));
        Assert.Contains("20 May 2026, 12:40 by treasurer@example.org", Squash(history.QuerySelector(".revisions .revision .hint")!.TextContent), StringComparison.Ordinal);

        using var visitor = Visitor();
        Assert.Contains("the second ruling against Argos", (await GetPageAsync(visitor, DisputePath)).QuerySelector(".update .update-body")!.TextContent, StringComparison.Ordinal);
    }

    private static DateTimeOffset TestClock0 => Infrastructure.TestClock.Default;

    [Fact]
    public async Task A_published_update_can_be_corrected_but_not_taken_back_to_a_draft()
    {
        using var admin = await AdminAsync();
        await WriteAsync(admin, "Publish", "Out on strike", "Day one.");
        var id = Assert.Single(await UpdatesAsync()).Id;

        using var response = await WriteAsync(admin, "Draft", "Out on strike", "Day one.", id: id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("already public", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(UpdateStatus.Published, Assert.Single(await UpdatesAsync()).Status);
    }

    [Fact]
    public async Task An_edit_from_a_stale_form_is_refused_with_the_text_kept()
    {
        using var admin = await AdminAsync();
        await WriteAsync(admin, "Draft", "Draft", "First words.");
        var id = Assert.Single(await UpdatesAsync()).Id;
        var staleVersion = (await admin.GetPageAsync(WritePath(id))).QuerySelector("input[name='Input.Version']")!.GetAttribute("value")!;
        await WriteAsync(admin, "Draft", "Draft", "Someone else's words.", id: id);

        using var response = await admin.PostFormAsync(WritePath(id),
            [new("Input.Title", "Draft"), new("Input.Body", "My words."), new("Input.Version", staleVersion)], "Draft");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Contains(WriteModel.StaleMessage, page.QuerySelector(".error-summary, [role=alert]")?.TextContent ?? await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("My words.", page.QuerySelector("textarea[name='Input.Body']")!.TextContent.Trim());
        Assert.Equal("Someone else's words.", Assert.Single(await UpdatesAsync()).Body);
    }

    [Fact]
    public async Task Changing_the_status_publishes_the_update_that_says_so_in_the_same_transaction()
    {
        using var admin = await AdminAsync();

        using var response = await WriteAsync(admin, "Publish", "Strike suspended for talks", "Action is suspended while talks go on.", newStatus: "Suspended");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var update = Assert.Single(await UpdatesAsync());
        var dispute = await App.WithDbAsync(db => db.Disputes.AsNoTracking().SingleAsync());
        Assert.Equal((DisputeStatus.Suspended, DisputeStatus.Suspended, UpdateStatus.Published), (dispute.Status, update.AnnouncesStatus!.Value, update.Status));
        Assert.Equal(Clock.Now, dispute.UpdatedAt);
        using var visitor = Visitor();
        var page = await GetPageAsync(visitor, DisputePath);
        Assert.Equal("Action suspended", page.QuerySelector(".dispute-header .status")!.TextContent.Trim());
        Assert.Contains("Status: Action suspended", Squash(page.QuerySelector(".update")!.TextContent), StringComparison.Ordinal);
        Assert.Contains(AuditActions.DisputeStatusChanged, await App.WithDbAsync(db => db.AuditEntries.Select(e => e.Action).ToListAsync()));
    }

    [Theory]
    [InlineData("Draft", "Won", "choose Publish now")]
    [InlineData("Publish", "TakingAction", "already")]
    [InlineData("Publish", "Victorious", "")]
    public async Task A_status_change_that_cannot_be_announced_now_is_refused_and_nothing_changes(string handler, string status, string message)
    {
        using var admin = await AdminAsync();

        using var response = await WriteAsync(admin, handler, "We won", "Argos has given guarantees.", newStatus: status);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, (await ParseAsync(response)).QuerySelector("[data-valmsg-for='Input.NewStatus']")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(await UpdatesAsync());
        Assert.Equal(DisputeStatus.TakingAction, await App.WithDbAsync(db => db.Disputes.Select(d => d.Status).SingleAsync()));
    }

    [Fact]
    public async Task A_moderator_announces_a_pause_but_cannot_end_the_dispute_and_its_monthly_gifts()
    {
        var account = await SignIn.CreateAccountAsync(App, "moderator@example.org", Roles.Moderator, withAuthenticator: true);
        using var moderator = await SignIn.WithTwoFactorAsync(App, account);

        using var ended = await WriteAsync(moderator, "Publish", "We won", "Argos has given guarantees.", newStatus: nameof(DisputeStatus.Won));

        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.Equal(WriteModel.EndsGiftsMessage, (await ParseAsync(ended)).QuerySelector("[data-valmsg-for='Input.NewStatus']")!.TextContent.Trim());
        Assert.Empty(await UpdatesAsync());
        Assert.Equal(DisputeStatus.TakingAction, await App.WithDbAsync(db => db.Disputes.Select(d => d.Status).SingleAsync()));

        using var paused = await WriteAsync(moderator, "Publish", "Action paused", "Talks resume on Monday.", newStatus: nameof(DisputeStatus.Suspended));

        Assert.Equal(HttpStatusCode.Redirect, paused.StatusCode);
        Assert.Equal(DisputeStatus.Suspended, await App.WithDbAsync(db => db.Disputes.Select(d => d.Status).SingleAsync()));
    }

    [Fact]
    public async Task The_updates_list_shows_every_state()
    {
        using var admin = await AdminAsync();
        await WriteAsync(admin, "Draft", "A draft", "d");
        await WriteAsync(admin, "Schedule", "A plan", "p", scheduleFor: "2026-06-01T09:00");
        await WriteAsync(admin, "Publish", "News", "n");

        var page = await admin.GetPageAsync($"/admin/disputes/{Argos.Id}/updates");

        var states = page.QuerySelectorAll(".updates-table tbody tr").Select(r => Squash(r.QuerySelectorAll("td")[1].TextContent)).ToList();
        Assert.Contains("Draft, started 20 May 2026, 12:00", states);
        Assert.Contains("Scheduled for 1 June 2026, 09:00", states);
        Assert.Contains("Published 20 May 2026, 12:00", states);
    }
}
