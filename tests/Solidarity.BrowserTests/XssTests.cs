using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Solidarity.BrowserTests.Infrastructure;
using Solidarity.Core.Disputes;
using Solidarity.Core.Messages;

namespace Solidarity.BrowserTests;

/// <summary>
/// Script-injection attempts sent as a supporter would (the message form, then approved) and written as an admin
/// would (update Markdown), then the dispute page opened in Chromium: nothing runs, and the HTML the server sent
/// holds no live script, handler or javascript: link.
/// </summary>
public sealed class XssTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private static readonly string[] Payloads =
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<img src=x onerror=\"window.__xss=1\">",
        "<svg onload=alert(1)>",
        "\"><script>window.__xss=1</script>",
        "'><img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "[x](javascript:alert(1))",
        "[y](JaVaScRiPt:window.__xss=1)",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<div style=\"width: expression(alert(1))\">styled</div>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#60;img src=x onerror=alert(1)&#62;",
        "<details open ontoggle=alert(1)>",
        "![img](x\" onerror=\"alert(1))",
        "<math><mi xlink:href=\"javascript:alert(1)\">m</mi></math>",
    ];

    [ChromiumFact]
    public async Task Injection_attempts_in_messages_and_updates_do_not_run_on_the_dispute_page()
    {
        var (slug, _) = await ArgosAsync();
        var page = await NewPageAsync();

        // Four messages through the form: within the per-address limit, every payload in a body or a name field.
        for (var i = 0; i < 4; i++)
        {
            await OpenAsync(page, $"/disputes/{slug}/message");
            await page.Locator("#message-body").FillAsync(string.Join("\n\n", Payloads.Skip(i * 4).Take(4)));
            await page.Locator("#message-name").FillAsync(Payloads[i]);
            await page.Locator("#message-organisation").FillAsync(Payloads[i + 4]);
            await page.Locator("#message-town").FillAsync(Payloads[i + 8]);
            await page.GetByRole(AriaRole.Button, new() { Name = "Send your message" }).ClickAsync();
            await page.Locator("#message-sent").WaitForAsync();
        }

        var disputeId = await Site.WithDbAsync(db => db.Disputes.Where(d => d.Slug == slug).Select(d => d.Id).SingleAsync());
        await Site.WithDbAsync(async db =>
        {
            Assert.Equal(4, await db.SupportMessages.CountAsync(m => m.Status == ModerationStatus.Pending));
            await db.SupportMessages.ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, ModerationStatus.Approved).SetProperty(m => m.ModeratedAt, DateTimeOffset.UtcNow));
            db.DisputeUpdates.Add(new DisputeUpdate
            {
                DisputeId = disputeId, Title = "<script>alert(1)</script> update", Body = string.Join("\n\n", Payloads),
                AuthorName = "<img src=x onerror=alert(1)>", Status = UpdateStatus.Published, PublishedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            });
            await db.SaveChangesAsync();
        });

        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };
        var response = await page.GotoAsync($"/disputes/{slug}");
        Assert.True(response is { Ok: true });
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        foreach (var toggle in await page.Locator("details").AllAsync())
        {
            await toggle.EvaluateAsync("d => d.open = !d.open");
        }

        await page.Locator(".support-message").First.HoverAsync();
        await page.WaitForTimeoutAsync(300);

        Assert.Empty(dialogs);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__xss === undefined"), "An injected script set window.__xss.");
        Assert.Equal(4, await page.Locator(".support-message").CountAsync());
        var shown = string.Join("\n", await page.Locator(".support-message .message-body").AllInnerTextsAsync());
        Assert.All(Payloads, payload => Assert.Contains(payload, shown, StringComparison.Ordinal));

        using var client = new HttpClient { BaseAddress = Site.Origin };
        var html = await client.GetStringAsync($"/disputes/{slug}");
        var document = new HtmlParser().ParseDocument(html);
        Assert.All(document.QuerySelectorAll("script"), script => Assert.StartsWith("/", script.GetAttribute("src") ?? "", StringComparison.Ordinal));
        // The money chart is the page's own image, from its own address; nothing else may be an image.
        Assert.DoesNotContain(
            document.QuerySelectorAll("main iframe, main svg, main object, main embed, main math, main details, main img, main [style]"),
            e => !(e.LocalName == "img" && e.ParentElement?.ClassList.Contains("money-chart") == true && e.GetAttribute("src") == $"/disputes/{slug}/chart.svg"));
        var attributes = document.QuerySelectorAll("*").SelectMany(e => e.Attributes).ToList();
        Assert.DoesNotContain(attributes, a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(attributes, a => a.Value.TrimStart().StartsWith("javascript:", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(document.QuerySelectorAll(".support-message a, .support-message b"));
    }
}
