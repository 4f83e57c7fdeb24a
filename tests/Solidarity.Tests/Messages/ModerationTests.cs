using System.Net;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Messages;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Admin;
using Solidarity.Web.Pages.Admin.Messages;

namespace Solidarity.Tests.Messages;

public sealed class ModerationTests(PublicSiteFixture fixture) : MessagesTest(fixture)
{
    private const string QueuePath = "/admin/messages";

    private async Task<SupportMessage> AddPendingAsync(string body, TimeSpan age)
    {
        var message = new SupportMessage { DisputeId = Argos.Id, Body = body, AuthorName = "Jo", CreatedAt = Clock.Now - age };
        await App.WithDbAsync(db =>
        {
            db.SupportMessages.Add(message);
            return db.SaveChangesAsync();
        });
        return message;
    }

    /// <summary>A message sent with a card donation whose payment has not come (yet).</summary>
    private async Task<SupportMessage> AddWithUnpaidDonationAsync(string body)
    {
        var donation = new Core.Donations.Donation
        {
            DisputeId = Argos.Id, Method = Core.Donations.DonationMethod.Card, Status = Core.Donations.DonationStatus.Pending,
            AmountPence = 1_000, Email = "jo@example.org", CreatedAt = Clock.Now,
        };
        var message = new SupportMessage { DisputeId = Argos.Id, DonationId = donation.Id, Body = body, CreatedAt = Clock.Now };
        await App.WithDbAsync(db =>
        {
            db.AddRange(donation, message);
            return db.SaveChangesAsync();
        });
        return message;
    }

    private Task<SupportMessage> ReloadAsync(Guid id) =>
        App.WithDbAsync(db => db.SupportMessages.AsNoTracking().SingleAsync(m => m.Id == id));

    private Task<List<Core.Audit.AuditEntry>> AuditAsync() =>
        App.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.SubjectType == "SupportMessage").OrderBy(e => e.Id).ToListAsync());

    private static Task<HttpResponseMessage> DecideAsync(HttpClient admin, string handler, IEnumerable<KeyValuePair<string, string>> fields) =>
        admin.PostFormAsync(QueuePath, fields, handler);

    [Fact]
    public async Task The_queue_shows_pending_messages_oldest_first_and_nothing_decided()
    {
        var newer = await AddPendingAsync("Newer", TimeSpan.FromMinutes(5));
        var older = await AddPendingAsync("Older", TimeSpan.FromHours(3));
        await App.WithDbAsync(db =>
        {
            db.SupportMessages.Add(new SupportMessage
            {
                DisputeId = Argos.Id, Body = "Decided", Status = ModerationStatus.Approved, CreatedAt = Clock.Now.AddDays(-1), ModeratedAt = Clock.Now,
            });
            return db.SaveChangesAsync();
        });
        using var admin = await AdminAsync();

        var page = await admin.GetPageAsync(QueuePath);

        Assert.Equal([older.Id.ToString(), newer.Id.ToString()], page.QuerySelectorAll(".queued-message").Select(m => m.GetAttribute("data-message-id")!));

        // Each message's buttons say which message they decide, for a screen reader listing the page's buttons.
        Assert.All(page.QuerySelectorAll(".queued-message .row-actions button"), b => Assert.Contains(" the message from ", b.TextContent, StringComparison.Ordinal));
        Assert.Equal("2", (await admin.GetPageAsync("/admin")).QuerySelector("[data-testid=messages-waiting]")!.TextContent);
    }

    [Fact]
    public async Task A_message_sent_with_a_donation_waits_for_the_payment_before_it_reaches_the_queue()
    {
        var message = await AddWithUnpaidDonationAsync("With my tenner");
        using var admin = await AdminAsync();

        Assert.Empty((await admin.GetPageAsync(QueuePath)).QuerySelectorAll(".queued-message"));
        Assert.Equal("0", (await admin.GetPageAsync("/admin")).QuerySelector("[data-testid=messages-waiting]")!.TextContent);

        await App.WithDbAsync(db => db.Donations.ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, Core.Donations.DonationStatus.Paid)));

        var queued = Assert.Single((await admin.GetPageAsync(QueuePath)).QuerySelectorAll(".queued-message"));
        Assert.Equal(message.Id.ToString(), queued.GetAttribute("data-message-id"));
    }

    [Fact]
    public async Task A_message_whose_payment_never_came_cannot_be_approved_from_a_stale_page_or_a_typed_id()
    {
        var message = await AddWithUnpaidDonationAsync("Never paid for");
        using var admin = await AdminAsync();

        using var response = await DecideAsync(admin, "Approve", [new("Input.Only", message.Id.ToString())]);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(ModerationStatus.Pending, (await ReloadAsync(message.Id)).Status);
        Assert.Empty(await AuditAsync());
        using var visitor = Visitor();
        Assert.DoesNotContain("Never paid for", await (await visitor.GetAsync(DisputePath)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_sent_with_a_monthly_gift_waits_for_its_first_payment_before_it_reaches_the_queue()
    {
        var gift = new Core.Donations.MonthlyGift
        {
            DisputeId = Argos.Id, AmountPence = 1_000, Email = "jo@example.org", Status = Core.Donations.MonthlyGiftStatus.Pending,
            CreatedAt = Clock.Now, UpdatedAt = Clock.Now,
        };
        var message = new SupportMessage { DisputeId = Argos.Id, MonthlyGiftId = gift.Id, Body = "Every month", CreatedAt = Clock.Now };
        await App.WithDbAsync(db =>
        {
            db.AddRange(gift, message);
            return db.SaveChangesAsync();
        });
        using var admin = await AdminAsync();

        Assert.Empty((await admin.GetPageAsync(QueuePath)).QuerySelectorAll(".queued-message"));

        // The first invoice is paid: its donation carries the gift.
        await App.WithDbAsync(db =>
        {
            db.Donations.Add(new Core.Donations.Donation
            {
                DisputeId = Argos.Id, Method = Core.Donations.DonationMethod.Card, Status = Core.Donations.DonationStatus.Paid,
                AmountPence = 1_000, MonthlyGiftId = gift.Id, CreatedAt = Clock.Now, PaidAt = Clock.Now,
            });
            return db.SaveChangesAsync();
        });

        var queued = Assert.Single((await admin.GetPageAsync(QueuePath)).QuerySelectorAll(".queued-message"));
        Assert.Equal(message.Id.ToString(), queued.GetAttribute("data-message-id"));
    }

    [Fact]
    public async Task Approving_records_who_and_when_audits_it_and_shows_the_message()
    {
        var message = await AddPendingAsync("Solidarity from Leek", TimeSpan.FromHours(1));
        Clock.Now = Clock.Now.AddMinutes(7);
        using var admin = await AdminAsync();

        using var response = await DecideAsync(admin, "Approve", [new("Input.Only", message.Id.ToString())]);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var decided = await ReloadAsync(message.Id);
        Assert.Equal((ModerationStatus.Approved, Clock.Now, Admin!.Id, "treasurer@example.org", (string?)null),
            (decided.Status, decided.ModeratedAt!.Value, decided.ModeratedByUserId!.Value, decided.ModeratedByName, decided.RejectionReason));
        var entry = Assert.Single(await AuditAsync());
        Assert.Equal((AuditActions.MessageApproved, message.Id.ToString(), Admin!.Id), (entry.Action, entry.SubjectId, entry.UserId!.Value));
        Assert.Contains("Approved 1 message.", Squash((await admin.GetPageAsync(QueuePath)).QuerySelector(".notice")!.TextContent), StringComparison.Ordinal);
        using var visitor = Visitor();
        Assert.Equal("Solidarity from Leek", (await GetPageAsync(visitor, DisputePath)).QuerySelector(".support-message .message-body")!.TextContent);
    }

    [Fact]
    public async Task Approving_with_a_reason_for_rejecting_typed_approves_nothing_and_says_why()
    {
        // Enter in the reason box presses the form's first button, "Approve ticked", with the reason sent along.
        var abusive = await AddPendingAsync("Abuse", TimeSpan.FromHours(1));
        using var admin = await AdminAsync();

        using var refused = await DecideAsync(admin, "Approve", [new("Input.Selected", abusive.Id.ToString()), new("Input.Reason", "abuse")]);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("nothing was approved", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(ModerationStatus.Pending, (await ReloadAsync(abusive.Id)).Status);
        Assert.Empty(await AuditAsync());
    }

    [Fact]
    public async Task Rejecting_needs_a_reason_which_is_kept_on_the_message_for_moderators_only()
    {
        var message = await AddPendingAsync("Buy cheap watches", TimeSpan.FromHours(1));
        using var admin = await AdminAsync();

        using var refused = await DecideAsync(admin, "Reject", [new("Input.Only", message.Id.ToString()), new("Input.Reason", " ")]);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Give a reason for rejecting", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(ModerationStatus.Pending, (await ReloadAsync(message.Id)).Status);

        using var rejected = await DecideAsync(admin, "Reject", [new("Input.Only", message.Id.ToString()), new("Input.Reason", "Advertising")]);

        Assert.Equal(HttpStatusCode.Redirect, rejected.StatusCode);
        var decided = await ReloadAsync(message.Id);
        Assert.Equal((ModerationStatus.Rejected, "Advertising"), (decided.Status, decided.RejectionReason));
        var audited = Assert.Single(await AuditAsync());
        Assert.Equal(AuditActions.MessageRejected, audited.Action);
        Assert.Null(audited.Details);
        using var visitor = Visitor();
        var html = await (await visitor.GetAsync(DisputePath)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("Buy cheap watches", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Advertising", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Moderating_an_already_moderated_message_changes_nothing()
    {
        var message = await AddPendingAsync("Keep going", TimeSpan.FromHours(1));
        using var admin = await AdminAsync();
        using var approved = await DecideAsync(admin, "Approve", [new("Input.Only", message.Id.ToString())]);
        var first = await ReloadAsync(message.Id);
        Clock.Now = Clock.Now.AddMinutes(5);

        using var again = await DecideAsync(admin, "Reject", [new("Input.Only", message.Id.ToString()), new("Input.Reason", "Changed my mind")]);
        using var twice = await DecideAsync(admin, "Approve", [new("Input.Only", message.Id.ToString())]);

        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        var after = await ReloadAsync(message.Id);
        Assert.Equal((ModerationStatus.Approved, first.ModeratedAt, (string?)null), (after.Status, after.ModeratedAt, after.RejectionReason));
        Assert.Single(await AuditAsync());
        Assert.Contains("1 message had already been moderated", Squash((await admin.GetPageAsync(QueuePath)).QuerySelector(".notice")!.TextContent), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ticked_messages_are_approved_or_rejected_together()
    {
        var messages = new List<SupportMessage>();
        for (var i = 0; i < 5; i++)
        {
            messages.Add(await AddPendingAsync($"Message {i}", TimeSpan.FromMinutes(50 - i)));
        }

        using var admin = await AdminAsync();

        using var approve = await DecideAsync(admin, "Approve", messages.Take(3).Select(m => new KeyValuePair<string, string>("Input.Selected", m.Id.ToString())));
        using var reject = await DecideAsync(admin, "Reject",
            [.. messages.Skip(2).Select(m => new KeyValuePair<string, string>("Input.Selected", m.Id.ToString())), new("Input.Reason", "Duplicate")]);

        var statuses = new List<ModerationStatus>();
        foreach (var m in messages)
        {
            statuses.Add((await ReloadAsync(m.Id)).Status);
        }

        Assert.Equal([ModerationStatus.Approved, ModerationStatus.Approved, ModerationStatus.Approved, ModerationStatus.Rejected, ModerationStatus.Rejected], statuses);
        Assert.Equal(5, (await AuditAsync()).Count);
        Assert.Contains("Rejected 2 messages. 1 message had already been moderated", Squash((await admin.GetPageAsync(QueuePath)).QuerySelector(".notice")!.TextContent), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_ticked_is_refused_with_a_message()
    {
        await AddPendingAsync("Waiting", TimeSpan.FromMinutes(1));
        using var admin = await AdminAsync();

        using var response = await DecideAsync(admin, "Approve", []);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Tick the messages", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await AuditAsync());
    }

    [Fact]
    public async Task Two_moderators_deciding_the_same_messages_at_once_decide_each_once()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await AddPendingAsync($"Message {i}", TimeSpan.FromMinutes(30 - i))).Id);
        }

        async Task<IReadOnlyList<Guid>> DecideAs(string name, ModerationStatus decision)
        {
            await using var scope = App.Scope();
            var moderator = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], "test"));
            return await scope.ServiceProvider.GetRequiredService<MessageModeration>().DecideAsync(
                moderator, ids, decision, decision == ModerationStatus.Rejected ? "spam" : null, CancellationToken.None);
        }

        var results = await Task.WhenAll(DecideAs("a@example.org", ModerationStatus.Approved), DecideAs("b@example.org", ModerationStatus.Rejected));

        Assert.Equal(20, results[0].Count + results[1].Count);
        Assert.Empty(results[0].Intersect(results[1]));
        Assert.Equal(20, (await AuditAsync()).Count);
        Assert.Equal(0, await App.WithDbAsync(db => db.SupportMessages.CountAsync(m => m.Status == ModerationStatus.Pending)));
    }

    [Fact]
    public async Task The_moderated_list_says_who_decided_what_and_when_latest_first()
    {
        var first = await AddPendingAsync("First", TimeSpan.FromHours(2));
        var second = await AddPendingAsync("Second", TimeSpan.FromHours(1));
        using var admin = await AdminAsync();
        await DecideAsync(admin, "Reject", [new("Input.Only", first.Id.ToString()), new("Input.Reason", "Off topic")]);
        Clock.Now = Clock.Now.AddMinutes(3);
        await DecideAsync(admin, "Approve", [new("Input.Only", second.Id.ToString())]);

        var page = await admin.GetPageAsync("/admin/messages/moderated");

        var rows = page.QuerySelectorAll("table.moderated tbody tr").Select(r => r.QuerySelectorAll("td").Select(c => Squash(c.TextContent)).ToArray()).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(["Approved", "20 May 2026, 12:03", "treasurer@example.org"], rows[0][..3]);
        Assert.Equal(["Rejected", "20 May 2026, 12:00", "treasurer@example.org"], rows[1][..3]);
        Assert.Equal("Off topic", rows[1][4]);
    }

    [Theory]
    [InlineData("/admin/messages")]
    [InlineData("/admin/messages/moderated")]
    public async Task Moderation_pages_are_for_admins_with_a_second_factor(string path)
    {
        // No sign-in page gives an admin a session without a second factor: a forged one stands in.
        await using var forged = AdminSite.For(App);
        using var anonymous = forged.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var withoutSecondFactor = forged.AdminClient("no-mfa");

        using var asAnonymous = await anonymous.GetAsync(path);
        using var asPasswordOnly = await withoutSecondFactor.GetAsync(path);

        Assert.NotEqual(HttpStatusCode.OK, asAnonymous.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, asPasswordOnly.StatusCode);
    }
}
