using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Solidarity.BrowserTests.Infrastructure;
using Solidarity.Core.Accounts;
using Solidarity.Core.Disputes;
using Solidarity.Core.Data;
using Solidarity.Core.Donations;
using Solidarity.Testing;
using Solidarity.Web.Demo;
using Solidarity.Web.Infrastructure.Hosting;
using Solidarity.Web.Infrastructure.Jobs;
using Solidarity.Web.Pages.Donations.Monthly;

namespace Solidarity.BrowserTests;

/// <summary>
/// Every page of the site that answers a GET with HTML, read from the site's own endpoints so that a new page is
/// checked without anyone adding it here: opened at 375 px by the person it is for (anonymous, the demo's branch
/// officer, or an admin signed in with both factors), with its route filled from the demo, and held to WCAG 2.1 AA
/// by axe and to no sideways scrolling.
/// </summary>
public sealed class EveryPageAccessibilityTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    /// <summary>As long as a treasurer's address may be: the admin pages' menu shows it beside "Sign out".</summary>
    private const string AdminEmail = "treasurer.of.the.burton.hardship.fund@example.org";

    [ChromiumFact]
    public async Task Every_page_has_no_WCAG_2_1_AA_violations_and_does_not_scroll_sideways_at_375px()
    {
        await SeedDemoHistoryAsync();
        await AddUnbrokenTextAsync();
        var values = await DemoValuesAsync();
        var anonymous = await NewPageAsync(PhoneWidth);
        var officer = await SignedInOfficerAsync();
        var admin = await SignedInAdminAsync();
        var problems = new List<string>();
        var checkedPages = 0;

        foreach (var (pattern, audience) in GetRoutes())
        {
            var page = audience switch
            {
                Audience.Public => anonymous,
                Audience.BranchOfficer => officer,
                _ => admin,
            };
            var path = PathOf(pattern, values);
            var response = await page.Context.APIRequest.GetAsync(path, new() { MaxRedirects = 0 });
            if (!response.Headers.TryGetValue("content-type", out var type) || !type.StartsWith("text/html", StringComparison.Ordinal))
            {
                continue;
            }

            await page.GotoAsync(path);
            checkedPages++;
            var result = await Accessibility.RunAxeAsync(page, RulesNotChecked(pattern));
            if (result.Violations.Length > 0)
            {
                problems.Add($"{path} ({pattern.RawText}): {Accessibility.Describe(result)}");
            }

            // The content security policy drops every inline style, so one written is a layout that is not there (the
            // built-in validation summary's hidden item, say, shown as an empty box). Hangfire's dashboard writes its own.
            var styled = await page.EvaluateAsync<int>("() => document.querySelectorAll('body [style]').length");
            if (styled > 0 && !pattern.RawText!.StartsWith(JobsHosting.DashboardPath, StringComparison.Ordinal))
            {
                problems.Add($"{path} ({pattern.RawText}): {styled} elements with a style attribute, which the content security policy drops");
            }

            var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
            if (widths[0] > widths[1])
            {
                var beyond = await page.EvaluateAsync<string[]>(WiderThanTheViewport);
                problems.Add($"{path} ({pattern.RawText}): {widths[0]}px wide in a {widths[1]}px viewport, it scrolls sideways: {string.Join(", ", beyond)}");
            }
        }

        Assert.True(checkedPages >= 30, $"Only {checkedPages} pages answered with HTML: the routes were not filled in as this test expects.");
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    /// <summary>
    /// The axe rules a page is excused from: only for markup the site does not write and cannot change. The jobs dashboard
    /// (its catch-all route filled with nothing is its home page) is drawn by Hangfire; the site sets its language and
    /// colours (JobsHosting.MapJobsDashboard), but not its markup.
    /// </summary>
    private static string[] RulesNotChecked(RoutePattern pattern) =>
        pattern.RawText!.StartsWith(JobsHosting.DashboardPath, StringComparison.Ordinal)
            ?
            [
                // Hangfire's navigation bar has Bootstrap 3's collapse toggle, a <button class="navbar-toggle"> holding only
                // three empty bars, with neither text nor aria-label; it shows only below 768 px, and the links it opens are
                // the dashboard's own sections. Hangfire renders it from its compiled layout, which the site cannot alter
                // short of rewriting Hangfire's HTML as it passes.
                "button-name",
            ]
            : [];

    /// <summary>The innermost elements that reach past the right edge of the viewport: what to fix.</summary>
    private const string WiderThanTheViewport = """
        () => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > document.documentElement.clientWidth + 1))
            .slice(0, 5)
            .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).split(' ').join('.') : ''} (${Math.round(e.getBoundingClientRect().right)}px)`)
        """;

    /// <summary>Every route a person asks for with GET, signing out last as it ends the session the others need.</summary>
    private IEnumerable<(RoutePattern Pattern, Audience Audience)> GetRoutes() =>
        Site.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods || methods.HttpMethods.Contains("GET"))
            .Select(e => (e.RoutePattern, Audience: e.Metadata.GetMetadata<AudienceAttribute>()?.Audience ?? Audience.Public))
            .Where(route => route.Audience != Audience.Machine)

            .OrderBy(route => route.RoutePattern.RawText?.Contains("sign-out", StringComparison.Ordinal))
            .ThenBy(route => route.RoutePattern.RawText, StringComparer.Ordinal);

    private sealed record DemoValues(
        string Slug, Guid DisputeId, Guid BranchId, Guid UpdateId, Guid StatementId, Guid DonationId, Guid MonthlyGiftId, string MonthlyToken);

    /// <summary>
    /// What the demo's text lacks and real text has: an address pasted into the Argos story, and a supporter's name with no
    /// space in it, each longer than a phone's screen is wide.
    /// </summary>
    private async Task AddUnbrokenTextAsync()
    {
        await using var scope = Site.Scope();
        var db = scope.ServiceProvider.GetRequiredService<SolidarityDbContext>();
        await db.Disputes.Where(d => d.Slug == DemoData.ArgosSlug).ExecuteUpdateAsync(d => d.SetProperty(
            x => x.Body, x => x.Body + "\n\nThe ballot result: https://www.unitetheunion.org/news-events/news/2017/may/argos-warehouse-workers-vote-for-strike-action-over-jobs-and-pay-at-burton-and-lutterworth"));
        var latest = await db.Donations.Where(d => d.PublicName != null && d.PaidAt != null).OrderByDescending(d => d.PaidAt).Select(d => d.Id).FirstAsync();
        await db.Donations.Where(d => d.Id == latest).ExecuteUpdateAsync(d => d.SetProperty(x => x.PublicName, "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogochsupporters"));
    }

    private async Task<DemoValues> DemoValuesAsync() =>
        await Site.WithDbAsync(async db =>
        {
            var dispute = await db.Disputes.AsNoTracking().SingleAsync(d => d.Employer == "Argos");
            var branch = await db.Branches.AsNoTracking().SingleAsync(b => b.Code == DemoData.ArgosBranchCode);
            // The demo publishes no news; one update gives the news pages something to show.
            var update = new DisputeUpdate
            {
                DisputeId = dispute.Id, Title = "Day one on the picket line", Body = "Out at the gates from six.", AuthorName = "Branch",
                PublishedAt = DateTimeOffset.UtcNow,
            };
            db.DisputeUpdates.Add(update);
            await db.SaveChangesAsync();
            var statement = await db.RemittanceStatements.AsNoTracking().Where(s => s.BranchId == branch.Id).Select(s => s.Id).FirstAsync();
            var donation = await db.Donations.AsNoTracking()
                .Where(d => d.DisputeId == dispute.Id && d.Method == DonationMethod.Card && d.Status == DonationStatus.Paid)
                .Select(d => d.Id).FirstAsync();
            // A monthly gift paused a moment ago by the end of one of the demo's past disputes: its page, and the pages to
            // cancel and to move it, each show their form.
            var now = DateTimeOffset.UtcNow;
            var ended = await db.Disputes.AsNoTracking().Where(d => DisputeStatuses.Past.Contains(d.Status)).Select(d => d.Id).FirstAsync();
            var gift = new MonthlyGift
            {
                DisputeId = ended, AmountPence = 1_000, DonorName = "Jo Monthly", Email = "monthly@example.org", Status = MonthlyGiftStatus.Paused,
                PausedAt = now, StripeSubscriptionId = "sub_test_local_axe", CreatedAt = now, UpdatedAt = now,
            };
            db.MonthlyGifts.Add(gift);
            await db.SaveChangesAsync();
            await using var scope = Site.Services.CreateAsyncScope();
            var token = scope.ServiceProvider.GetRequiredService<MonthlyGiftLinks>().Create(gift.Id);
            await scope.ServiceProvider.GetRequiredService<SolidarityDbContext>().SaveChangesAsync();
            return new DemoValues(dispute.Slug, dispute.Id, branch.Id, update.Id, statement, donation, gift.Id, token);
        });

    /// <summary>The route with its parameters taken from the demo; a parameter with no value stops the test, to be given one.</summary>
    private static string PathOf(RoutePattern pattern, DemoValues demo)
    {
        var raw = "/" + pattern.RawText!.TrimStart('/');
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart { Name: "code" } => "404",
            RoutePatternParameterPart { IsOptional: true } or RoutePatternParameterPart { IsCatchAll: true } => "",
            RoutePatternParameterPart { Name: "slug" } => demo.Slug,
            RoutePatternParameterPart { Name: "disputeId" } => demo.DisputeId.ToString(),
            RoutePatternParameterPart { Name: "format" } => "csv",
            RoutePatternParameterPart { Name: "token" } when raw.StartsWith("/monthly/manage/", StringComparison.Ordinal) => demo.MonthlyToken,
            RoutePatternParameterPart { Name: "token" or "sessionId" } => "an-unknown-link",
            RoutePatternParameterPart { Name: "donationId" } => demo.DonationId.ToString(),
            RoutePatternParameterPart { Name: "id" } when raw.StartsWith("/admin/branches/", StringComparison.Ordinal) => demo.BranchId.ToString(),
            RoutePatternParameterPart { Name: "id" } when raw.StartsWith("/admin/disputes/", StringComparison.Ordinal) => demo.DisputeId.ToString(),
            RoutePatternParameterPart { Name: "id" } when raw.StartsWith("/admin/updates/", StringComparison.Ordinal) => demo.UpdateId.ToString(),
            RoutePatternParameterPart { Name: "id" } when raw.StartsWith("/admin/remittances/", StringComparison.Ordinal)
                || raw.StartsWith("/branch/statements/", StringComparison.Ordinal) => demo.StatementId.ToString(),
            RoutePatternParameterPart { Name: "id" } when raw.StartsWith("/donations/", StringComparison.Ordinal) => demo.DonationId.ToString(),
            RoutePatternParameterPart { Name: "id" } when raw.StartsWith("/monthly/", StringComparison.Ordinal) => demo.MonthlyGiftId.ToString(),
            RoutePatternParameterPart p => throw new InvalidOperationException($"No demo value for {{{p.Name}}} in {raw}: add one to this test."),
            _ => "",
        }))).Where(text => text.Length > 0);
        return "/" + string.Join('/', segments);
    }

    private async Task<IPage> SignedInOfficerAsync()
    {
        var page = await NewPageAsync(PhoneWidth);
        await OpenAsync(page, "/account/sign-in?ReturnUrl=%2Fbranch");
        await page.GetByLabel("Email").FillAsync(DemoData.OfficerEmail);
        await page.GetByLabel("Password").FillAsync(DemoData.OfficerPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/branch");
        return page;
    }

    /// <summary>An admin with an authenticator app, signed in through the pages with the password and a code.</summary>
    private async Task<IPage> SignedInAdminAsync()
    {
        var admin = await SignIn.CreateAccountAsync(Site, AdminEmail, Roles.Admin, withAuthenticator: true);
        var page = await NewPageAsync(PhoneWidth);
        await SignInWithCodeAsync(page, admin, returnUrl: "/admin");
        await page.WaitForURLAsync("**/admin");
        return page;
    }
}
