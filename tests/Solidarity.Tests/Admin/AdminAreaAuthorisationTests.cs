using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Core.Disputes;
using Solidarity.Core.Remittances;
using Solidarity.Tests.Accounts;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Admin;

/// <summary>
/// Every route under /admin, read from the site's own endpoints so that a page added later is covered without a
/// change here, asked for by each kind of person: anonymous visitors are sent to sign in, branch officers are refused,
/// moderators reach the messages and updates pages and nothing else, admins reach everything.
/// </summary>
public sealed class AdminAreaAuthorisationTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public async Task The_admin_area_has_pages_for_moderators_and_pages_for_admins_only()
    {
        var routes = await AdminRoutesAsync();

        Assert.Contains(routes, r => r.ForModerators);
        Assert.Contains(routes, r => !r.ForModerators);
        Assert.Contains(routes, r => r.Path == "/admin/people");
        Assert.Contains(routes, r => r.Path.StartsWith("/admin/jobs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in_from_every_admin_route()
    {
        var routes = await AdminRoutesAsync();
        using var anonymous = SignIn.NewClient(App);

        foreach (var route in routes)
        {
            using var response = await anonymous.GetAsync(route.Path);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.AbsolutePath == "/account/sign-in",
                $"{route.Pattern} ({route.Path}): {(int)response.StatusCode} {response.Headers.Location}");
        }
    }

    [Fact]
    public async Task Branch_officers_are_refused_every_admin_route()
    {
        var routes = await AdminRoutesAsync();
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer, withAuthenticator: true);
        using var client = await SignIn.WithTwoFactorAsync(App, officer);

        foreach (var route in routes)
        {
            using var response = await client.GetAsync(route.Path);
            Assert.True(IsRefused(response), $"{route.Pattern} ({route.Path}): {(int)response.StatusCode} {response.Headers.Location}");
        }
    }

    [Fact]
    public async Task Moderators_reach_the_messages_and_updates_pages_and_are_refused_everything_else()
    {
        var routes = await AdminRoutesAsync();
        var moderator = await SignIn.CreateAccountAsync(App, "moderator@example.org", Roles.Moderator, withAuthenticator: true);
        using var client = await SignIn.WithTwoFactorAsync(App, moderator);

        foreach (var route in routes)
        {
            using var response = await client.GetAsync(route.Path);
            if (route.ForModerators)
            {
                Assert.True(response.IsSuccessStatusCode, $"{route.Pattern} ({route.Path}): {(int)response.StatusCode} {response.Headers.Location}");
            }
            else
            {
                Assert.True(IsRefused(response), $"{route.Pattern} ({route.Path}): {(int)response.StatusCode} {response.Headers.Location}");
            }
        }
    }

    [Fact]
    public async Task Admins_reach_every_admin_route()
    {
        var routes = await AdminRoutesAsync();
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        foreach (var route in routes)
        {
            using var response = await client.GetAsync(route.Path);
            Assert.True(response.IsSuccessStatusCode, $"{route.Pattern} ({route.Path}): {(int)response.StatusCode} {response.Headers.Location}");
        }
    }

    [Fact]
    public async Task A_moderators_navigation_lists_only_messages_updates_and_their_own_account_pages()
    {
        var moderator = await SignIn.CreateAccountAsync(App, "moderator@example.org", Roles.Moderator, withAuthenticator: true);
        using var client = await SignIn.WithTwoFactorAsync(App, moderator);

        using var page = await client.GetAsync("/admin/messages");

        var links = (await HtmlForm.ParseAsync(page)).QuerySelectorAll(".admin-nav a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(new string?[] { "/admin/messages", "/admin/updates", "/account/authenticator", "/account/passkeys", "/account/password" }, links);
    }

    [Fact]
    public async Task An_admins_navigation_includes_the_people_page()
    {
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        using var page = await client.GetAsync("/admin");

        var links = (await HtmlForm.ParseAsync(page)).QuerySelectorAll(".admin-nav a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains("/admin/people", links);
        Assert.Contains("/admin/donors", links);
    }

    /// <summary>A refusal: sent to the access-denied page, or answered 403 or 404 directly.</summary>
    private static bool IsRefused(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound
        || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.AbsolutePath == "/account/access-denied");

    private sealed record AdminRoute(string Pattern, string Path, bool ForModerators);

    /// <summary>
    /// Every GET-able route under /admin with its parameters filled in from real rows (a branch, a dispute with an
    /// update, a statement), so that a page answering 404 for an unknown id cannot pass for a refusal.
    /// </summary>
    private async Task<IReadOnlyList<AdminRoute>> AdminRoutesAsync()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var disputeId = await AdminData.DisputeAsync(App, seeded);
        var update = new DisputeUpdate { DisputeId = disputeId, Title = "Day one", Body = "Out.", AuthorName = "Branch", PublishedAt = DateTimeOffset.UtcNow };
        var statement = new RemittanceStatement
        {
            BranchId = seeded.BurtonBranchId, PeriodStart = DateTimeOffset.UtcNow.AddDays(-14), PeriodEnd = DateTimeOffset.UtcNow.AddDays(-7),
            CreatedAt = DateTimeOffset.UtcNow,
        };
        await App.WithDbAsync(async db =>
        {
            db.AddRange(update, statement);
            await db.SaveChangesAsync();
        });

        var ids = new Dictionary<string, Guid>
        {
            ["branches"] = seeded.BurtonBranchId,
            ["disputes"] = disputeId,
            ["updates"] = update.Id,
            ["remittances"] = statement.Id,
        };
        return App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && raw.TrimStart('/').Split('/')[0] == "admin")
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods || methods.HttpMethods.Contains("GET"))
            .Select(e => new AdminRoute(e.RoutePattern.RawText!, PathOf(e.RoutePattern, ids, disputeId), IsModeration(e)))
            .DistinctBy(r => r.Path)
            .OrderBy(r => r.Path, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Written out here rather than taken from the site, so that widening the site's list fails this test.</summary>
    private static bool IsModeration(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.RazorPages.PageActionDescriptor>() is { } page
        && (page.ViewEnginePath.StartsWith("/Admin/Messages/", StringComparison.Ordinal)
            || page.ViewEnginePath.StartsWith("/Admin/Updates/", StringComparison.Ordinal));

    private static string PathOf(RoutePattern pattern, Dictionary<string, Guid> ids, Guid disputeId)
    {
        var section = pattern.PathSegments.Count > 1 && pattern.PathSegments[1].Parts is [RoutePatternLiteralPart literal] ? literal.Content : "";
        var segments = new List<string>();
        foreach (var segment in pattern.PathSegments)
        {
            var text = string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart l => l.Content,
                RoutePatternSeparatorPart s => s.Content,
                RoutePatternParameterPart { IsOptional: true } or RoutePatternParameterPart { IsCatchAll: true } => "",
                RoutePatternParameterPart { Name: "disputeId" } => disputeId.ToString(),
                RoutePatternParameterPart { Name: "format" } => "csv",
                RoutePatternParameterPart { Name: "id" } => (ids.TryGetValue(section, out var id) ? id : Guid.NewGuid()).ToString(),
                RoutePatternParameterPart p => throw new InvalidOperationException($"No value for {{{p.Name}}} in {pattern.RawText}: add one to this test."),
                _ => "",
            }));
            if (text.Length > 0)
            {
                segments.Add(text);
            }
        }

        return "/" + string.Join('/', segments);
    }
}
