using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Data;
using Solidarity.Core.Messages;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Admin.Messages;
using Solidarity.Web.Pages.Messages;

namespace Solidarity.Tests.Messages;

public sealed class MessageFormTests(PublicSiteFixture fixture) : MessagesTest(fixture)
{
    private const string MessagePath = DisputePath + "/message";

    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient client, string? body, string? name = "Sam from Selly Oak", string? organisation = null, string? town = null,
        string? website = null, string path = MessagePath)
    {
        var form = await HtmlForm.GetAsync(client, path, "form.message-form");
        form.Set("Input.Body", body).Set("Input.AuthorName", name).Set("Input.OrganisationName", organisation).Set("Input.Town", town);
        if (website is not null)
        {
            form.Set("Input.Website", website);
        }

        return await form.SubmitAsync();
    }

    private Task<List<SupportMessage>> StoredAsync() =>
        App.WithDbAsync(db => db.SupportMessages.AsNoTracking().OrderBy(m => m.CreatedAt).ToListAsync());

    /// <summary>Approves every pending message as a moderator does, so this site's cached dispute page is evicted too.</summary>
    private async Task ApproveAllAsync()
    {
        await using var scope = App.Scope();
        var pending = await scope.ServiceProvider.GetRequiredService<SolidarityDbContext>().SupportMessages
            .Where(m => m.Status == ModerationStatus.Pending).Select(m => m.Id).ToListAsync();
        var moderator = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Email, "moderator@example.org")], "test"));
        await scope.ServiceProvider.GetRequiredService<MessageModeration>().DecideAsync(moderator, pending, ModerationStatus.Approved, null, CancellationToken.None);
    }

    [Fact]
    public async Task A_message_is_kept_as_typed_and_shown_escaped_with_links_left_as_text_only_once_approved()
    {
        using var client = Visitor();
        const string typed = "Solidarity from Birmingham! <b>Stay strong</b>\r\n\r\nMore at https://example.org/appeal & see you on the line.";

        using var response = await SendAsync(client, typed, organisation: "Momentum South Birmingham", town: "Selly Oak");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var sent = await GetPageAsync(client, response.Headers.Location!.OriginalString);
        Assert.Contains("your message has been sent", Squash(sent.QuerySelector("#message-sent")?.TextContent), StringComparison.Ordinal);
        var stored = Assert.Single(await StoredAsync());
        Assert.Equal(typed.Replace("\r\n", "\n", StringComparison.Ordinal), stored.Body);
        Assert.Equal((ModerationStatus.Pending, "Sam from Selly Oak", "Momentum South Birmingham", "Selly Oak", Argos.Id),
            (stored.Status, stored.AuthorName, stored.OrganisationName, stored.Town, stored.DisputeId));

        var before = await GetPageAsync(client, DisputePath);
        Assert.Empty(before.QuerySelectorAll(".support-message"));

        await ApproveAllAsync();
        var html = await (await client.GetAsync(DisputePath)).Content.ReadAsStringAsync();
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);
        var shown = Assert.Single(page.QuerySelectorAll(".support-message"));
        Assert.Equal(stored.Body, shown.QuerySelector(".message-body")!.TextContent);
        Assert.Empty(shown.QuerySelectorAll("b"));
        Assert.Empty(shown.QuerySelectorAll("a"));
        Assert.Contains("&lt;b&gt;Stay strong&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Equal("Sam from Selly Oak, Momentum South Birmingham, Selly Oak", Squash(shown.QuerySelector(".message-from")!.TextContent).Split(" ·")[0]);
    }

    [Fact]
    public async Task A_message_without_a_name_is_signed_Anonymous()
    {
        using var client = Visitor();
        using var response = await SendAsync(client, "Keep going.", name: "  ");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await ApproveAllAsync();

        var page = await GetPageAsync(client, DisputePath);

        Assert.Null(Assert.Single(await StoredAsync()).AuthorName);
        Assert.StartsWith("Anonymous", Squash(page.QuerySelector(".support-message .message-from")!.TextContent), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dispute_page_links_to_the_message_form_and_carries_no_form_of_its_own()
    {
        using var client = Visitor();

        using var response = await client.GetAsync(DisputePath);

        var page = await ParseAsync(response);
        Assert.Contains(page.QuerySelectorAll("section[aria-labelledby=messages] a"),
            a => a.GetAttribute("href") == MessagePath && Squash(a.TextContent) == "Send a message of support");
        Assert.Empty(page.QuerySelectorAll("main form"));
        Assert.Null(page.QuerySelector("input[name=__RequestVerificationToken]"));
        Assert.False(response.Headers.Contains("Set-Cookie"), "The dispute page set a cookie: " + string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : []));
    }

    public static TheoryData<string, string> BadBodies() => new()
    {
        { "", MessageRules.BodyRequired },
        { "   \n  ", MessageRules.BodyRequired },
        { new string('x', 2_001), MessageRules.BodyTooLong },
        { "See https://a.example/1 and http://b.example/2 and www.c.example", MessageRules.TooManyLinks },
        { "Buy now at cheap.com/pills, cheap.org/pills and cheap.net/pills", MessageRules.TooManyLinks },
        { "Bell \u0007 ringing", MessageRules.Unprintable },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_message_comes_back_with_the_text_kept_and_a_clear_message(string body, string message)
    {
        using var client = Visitor();

        using var response = await SendAsync(client, body, name: "Jo", town: "Leek");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Equal(message, page.QuerySelector("[data-valmsg-for='Input.Body']")!.TextContent.Trim());
        Assert.Contains(message, page.QuerySelector("#message-errors")!.TextContent, StringComparison.Ordinal);
        var kept = HtmlForm.From(client, page, "form.message-form");
        Assert.Equal(body.Trim(), (kept.Value("Input.Body") ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Trim());
        Assert.Equal(("Jo", "Leek"), (kept.Value("Input.AuthorName"), kept.Value("Input.Town")));
        Assert.Empty(await StoredAsync());
    }

    [Fact]
    public async Task Two_links_are_allowed()
    {
        using var client = Visitor();

        using var response = await SendAsync(client, "Our branch: https://a.example/branch and the appeal https://b.example/appeal");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Single(await StoredAsync());
    }

    [Fact]
    public async Task Exactly_two_thousand_characters_with_typed_line_breaks_are_accepted()
    {
        using var client = Visitor();
        // 2,018 characters as the browser sends them (CRLF), 2,000 as typed and stored.
        var body = string.Join("\r\n", Enumerable.Repeat(new string('a', 99), 20)) + "b";

        using var response = await SendAsync(client, body);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(2_000, Assert.Single(await StoredAsync()).Body.Length);
    }

    [Fact]
    public async Task Oversized_name_comes_back_with_everything_kept()
    {
        using var client = Visitor();

        using var response = await SendAsync(client, "Solidarity!", name: new string('n', 101));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Equal("Keep your name to 100 characters or fewer.", page.QuerySelector("[data-valmsg-for='Input.AuthorName']")!.TextContent.Trim());
        Assert.Equal("Solidarity!", HtmlForm.From(client, page, "form.message-form").Value("Input.Body"));
        Assert.Empty(await StoredAsync());
    }

    [Fact]
    public async Task A_filled_honeypot_is_told_the_message_was_sent_and_nothing_is_stored()
    {
        using var client = Visitor();

        using var response = await SendAsync(client, "Great deals on watches", website: "https://spam.example");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var sent = await GetPageAsync(client, response.Headers.Location!.OriginalString);
        Assert.NotNull(sent.QuerySelector("#message-sent"));
        Assert.Empty(await StoredAsync());
    }

    [Fact]
    public async Task The_honeypot_is_hidden_by_the_stylesheet_and_out_of_the_tab_order()
    {
        using var client = Visitor();

        var page = await GetPageAsync(client, MessagePath);

        var trap = page.QuerySelector("form.message-form input[name='Input.Website']")!;
        Assert.Equal("-1", trap.GetAttribute("tabindex"));
        Assert.Equal("true", trap.ParentElement!.GetAttribute("aria-hidden"));
        Assert.Contains("message-website", trap.ParentElement.ClassList);
        Assert.Null(trap.GetAttribute("style"));
    }

    [Fact]
    public async Task The_sixth_message_in_ten_minutes_from_one_address_gets_429_with_its_text_kept()
    {
        using var client = Visitor();
        for (var i = 1; i <= 5; i++)
        {
            using var accepted = await SendAsync(client, $"Message {i}");
            Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        }

        using var refused = await SendAsync(client, "Message 6, typed with care", name: "Jo", organisation: "Leek TUC");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var page = await ParseAsync(refused);
        Assert.Contains(MessageRules.TooFast, page.QuerySelector("#message-errors")!.TextContent, StringComparison.Ordinal);
        var kept = HtmlForm.From(client, page, "form.message-form");
        Assert.Equal(("Message 6, typed with care", "Jo", "Leek TUC"), (kept.Value("Input.Body"), kept.Value("Input.AuthorName"), kept.Value("Input.OrganisationName")));
        Assert.Equal(5, (await StoredAsync()).Count);

        using var elsewhere = Visitor("192.0.2.77");
        using var fromAnotherAddress = await SendAsync(elsewhere, "From another address");
        Assert.Equal(HttpStatusCode.Redirect, fromAnotherAddress.StatusCode);
    }

    [Fact]
    public async Task Messages_the_form_refused_do_not_count_against_the_address()
    {
        using var client = Visitor();
        for (var i = 1; i <= 3; i++)
        {
            using var refused = await SendAsync(client, new string('x', Solidarity.Core.Messages.SupportMessage.MaxBodyLength + 1));
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        }

        for (var i = 1; i <= 5; i++)
        {
            using var accepted = await SendAsync(client, $"Message {i}, put right");
            Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        }

        Assert.Equal(5, (await StoredAsync()).Count);
    }

    [Fact]
    public async Task Five_messages_in_ten_minutes_means_five_across_every_web_process()
    {
        await using var second = new PublicSiteApp(Smtp.Port);
        second.ShareDatabaseOf(App);
        second.Clock.Now = Clock.Now;
        using var here = Visitor();
        using var there = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        there.DefaultRequestHeaders.Add(PublicSiteApp.ClientAddressHeader, ClientAddress);
        for (var i = 1; i <= 5; i++)
        {
            using var accepted = await SendAsync(i % 2 == 0 ? there : here, $"Message {i}");
            Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        }

        using var refusedHere = await SendAsync(here, "Message 6");
        using var refusedThere = await SendAsync(there, "Message 7");

        Assert.Equal(HttpStatusCode.TooManyRequests, refusedHere.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedThere.StatusCode);
        Assert.NotNull(refusedThere.Headers.RetryAfter);
        Assert.Equal(5, (await StoredAsync()).Count);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused()
    {
        using var client = Visitor();

        using var response = await client.PostAsync(MessagePath, new FormUrlEncodedContent([new("Input.Body", "No token")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await StoredAsync());
    }

    private Task AddApprovedMessagesAsync(int count, int startingAt = 1) =>
        App.WithDbAsync(async db =>
        {
            for (var i = startingAt; i < startingAt + count; i++)
            {
                db.SupportMessages.Add(new SupportMessage
                {
                    DisputeId = Argos.Id, Body = $"Message number {i}", Status = ModerationStatus.Approved,
                    CreatedAt = Clock.Now.AddHours(-24 + i), ModeratedAt = Clock.Now,
                });
            }

            await db.SaveChangesAsync();
        });

    private static string[] Bodies(AngleSharp.Html.Dom.IHtmlDocument page) =>
        page.QuerySelectorAll(".support-message .message-body").Select(b => b.TextContent).ToArray();

    private static string OlderLink(AngleSharp.Html.Dom.IHtmlDocument page) =>
        page.QuerySelector("nav[aria-label='Pages of messages'] a[rel=next]")?.GetAttribute("href")
            ?? throw new InvalidOperationException("The page has no link to older messages.");

    [Fact]
    public async Task Approved_messages_show_newest_first_ten_to_a_page()
    {
        await AddApprovedMessagesAsync(12);
        await App.WithDbAsync(async db =>
        {
            db.SupportMessages.Add(new SupportMessage { DisputeId = Argos.Id, Body = "Still pending", CreatedAt = Clock.Now });
            db.SupportMessages.Add(new SupportMessage
            {
                DisputeId = Argos.Id, Body = "Rejected", Status = ModerationStatus.Rejected, RejectionReason = "spam", CreatedAt = Clock.Now, ModeratedAt = Clock.Now,
            });
            await db.SaveChangesAsync();
        });
        using var client = Visitor();

        var first = await GetPageAsync(client, DisputePath);
        var second = await GetPageAsync(client, OlderLink(first));

        Assert.Equal(Enumerable.Range(3, 10).Reverse().Select(i => $"Message number {i}"), Bodies(first));
        Assert.Equal(["Message number 2", "Message number 1"], Bodies(second));
        Assert.Matches($"^{DisputePath}\\?messages=[0-9]+_[0-9a-f]{{32}}#messages$", OlderLink(first));
        Assert.Null(second.QuerySelector("nav[aria-label='Pages of messages'] a[rel=next]"));
        Assert.Equal($"{DisputePath}#messages", second.QuerySelectorAll("nav[aria-label='Pages of messages'] a").Single(a => Squash(a.TextContent) == "Newest messages").GetAttribute("href"));
    }

    [Fact]
    public async Task A_message_approved_while_a_visitor_reads_does_not_push_one_onto_the_older_page_again()
    {
        await AddApprovedMessagesAsync(12);
        using var client = Visitor();
        var first = await GetPageAsync(client, DisputePath);

        await AddApprovedMessagesAsync(1, startingAt: 13);
        var second = await GetPageAsync(client, OlderLink(first));

        Assert.Equal(["Message number 2", "Message number 1"], Bodies(second));
    }

    [Fact]
    public async Task A_cursor_past_the_oldest_message_says_there_are_no_older_ones()
    {
        await AddApprovedMessagesAsync(2);
        var cursor = new Solidarity.Web.Pages.Disputes.PageCursor(Clock.Now.AddYears(-10), Guid.Empty);
        using var client = Visitor();

        var page = await GetPageAsync(client, $"{DisputePath}?messages={cursor}");

        Assert.Empty(Bodies(page));
        Assert.Contains("No older messages.", Squash(page.QuerySelector("section[aria-labelledby=messages]")!.TextContent), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?messages=abc")]
    [InlineData("?messages=2")]
    [InlineData("?messages=-1")]
    [InlineData("?messages=1747652400123456")]
    [InlineData("?messages=1747652400123456_not-a-guid")]
    [InlineData("?messages=-1747652400123456_0190a0a0000070008000000000000001")]
    [InlineData("?messages=99999999999999999999_0190a0a0000070008000000000000001")]
    [InlineData("?messages=1747652400123456_0190a0a0000070008000000000000001_1")]
    [InlineData("?updates=abc")]
    public async Task A_bad_cursor_is_refused_with_400(string query)
    {
        using var client = Visitor();

        using var response = await client.GetAsync(DisputePath + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Messages_to_an_unpublished_dispute_are_refused_with_404()
    {
        using var client = Visitor();
        var form = await HtmlForm.GetAsync(client, MessagePath, "form.message-form");
        await App.WithDbAsync(db => db.Disputes.ExecuteUpdateAsync(s => s.SetProperty(d => d.IsPublished, false)));

        using var response = await form.Set("Input.Body", "Hello").SubmitAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await StoredAsync());
    }
}
