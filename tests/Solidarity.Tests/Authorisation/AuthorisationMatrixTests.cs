using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Core.Disputes;
using Solidarity.Core.Remittances;
using Solidarity.Testing;
using Solidarity.Tests.Admin;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Hosting;

namespace Solidarity.Tests.Authorisation;

/// <summary>
/// Every route of the site, read from its own endpoints so that a route added later is covered without a change here,
/// asked for by each kind of person, GET and (where the route takes one) POST with a valid form token, and the answer
/// compared with the audience the route declares.
/// </summary>
public sealed class AuthorisationMatrixTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Fact]
    public void Every_route_declares_who_it_is_for()
    {
        var undeclared = Endpoints()
            .Where(e => e.Metadata.GetMetadata<AudienceAttribute>() is null)
            .Select(e => e.RoutePattern.RawText ?? e.DisplayName)
            .ToList();

        Assert.True(undeclared.Count == 0, $"Routes with no declared audience: {string.Join(", ", undeclared)}");
    }

    [Theory]
    [InlineData("/", Audience.Public)]
    [InlineData("/disputes/{slug}/books.csv", Audience.Public)]
    [InlineData("/account/sign-in", Audience.Public)]
    [InlineData("/account/password", Audience.SignedIn)]
    [InlineData("/account/authenticator", Audience.SignedIn)]
    [InlineData("/branch/statements/{id:guid}", Audience.BranchOfficer)]
    [InlineData("/admin/messages", Audience.Moderator)]
    [InlineData("/admin/people", Audience.Admin)]
    [InlineData("/admin/jobs/{**path}", Audience.Admin)]
    [InlineData("/webhooks/stripe", Audience.Machine)]
    [InlineData("/health/ready", Audience.Machine)]
    public void A_route_declares_the_audience_its_folder_or_mapping_gives_it(string pattern, Audience audience)
    {
        var endpoint = Endpoints().First(e => e.RoutePattern.RawText?.TrimStart('/') == pattern.TrimStart('/'));

        Assert.Equal(audience, endpoint.Metadata.GetMetadata<AudienceAttribute>()?.Audience);
    }

    [Fact]
    public async Task Every_route_answers_each_kind_of_person_as_its_declared_audience_says()
    {
        var data = await SeedAsync();
        var routes = await RoutesAsync(data);
        var people = await PeopleAsync(data);
        var wrong = new List<string>();

        // GETs first, then POSTs, each person's in turn; what ends the person's session comes last.
        foreach (var person in people)
        {
            foreach (var route in routes.Where(r => r.Get))
            {
                using var response = await person.Client.GetAsync(route.Path);
                Check(route, person, "GET", route.Path, response, wrong);
            }
        }

        var posts = routes
            .SelectMany(route => route.PostHandlers.Select(handler => (Route: route, Handler: handler)))
            .OrderBy(post => ChangesSession(post.Route, post.Handler))
            .ToList();
        foreach (var person in people)
        {
            var token = await FormTokenAsync(person);
            foreach (var (route, handler) in posts)
            {
                var path = handler.Length == 0 ? route.Path : $"{route.Path}?handler={handler}";
                using var form = new FormUrlEncodedContent(
                    route.Audience == Audience.Machine ? [] : [new(HtmlPages.AntiforgeryField, token)]);
                using var response = await person.Client.PostAsync(path, form);
                Check(route, person, "POST", path, response, wrong);
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} answers disagree with the declared audience:\n{string.Join('\n', wrong)}");
    }

    private enum Kind
    {
        Anonymous,

        /// <summary>An admin who gave the right password and not yet the code: a session with only the password.</summary>
        AdminWithPasswordOnly,

        /// <summary>A branch officer whose branch is not the one the route's data belongs to.</summary>
        OfficerOfAnotherBranch,
        OfficerOfTheBranch,
        Moderator,
        Admin,
    }

    private sealed record Person(Kind Kind, HttpClient Client);

    private sealed record Route(string Pattern, string Path, Audience Audience, bool Get, IReadOnlyList<string> PostHandlers, bool CarriesBranchData);

    private sealed record Seeded(AdminData.Seeded Branches, Guid DisputeId, string Slug, Guid UpdateId, Guid StatementId);

    private static void Check(Route route, Person person, string method, string path, HttpResponseMessage response, List<string> wrong)
    {
        var status = (int)response.StatusCode;
        var answer = $"{status} {response.Headers.Location}".Trim();
        var sentAway = IsSentAway(response, path);
        bool right;
        string expected;
        if (route.Audience is Audience.Public or Audience.Machine)
        {
            // Open to all: nobody is sent to sign in or away. The page may still answer 403 or 404 itself (the
            // access-denied page, a link that is unknown or has expired).
            right = !sentAway;
            expected = "open to everyone";
        }
        else if (AllowedFor(route, person.Kind))
        {
            // A form posted empty may find nothing to act on (404) or fail validation (400, or the page again).
            right = !sentAway && status != 403 && (method == "POST" || status < 400);
            expected = "allowed";
        }
        else
        {
            right = sentAway || status is 403 or 404;
            expected = "refused";
        }

        if (!right || status >= 500)
        {
            wrong.Add($"{method} {path} ({route.Pattern}, {route.Audience}) as {person.Kind}: {answer}, expected {expected}");
        }
    }

    /// <summary>
    /// What changes the person's own session comes after everything else, in this order: replacing the authenticator
    /// app (the recovery codes need the old one), forgetting this device and signing out (both end the session).
    /// </summary>
    private static int ChangesSession(Route route, string handler) => (route.Path, handler) switch
    {
        ("/account/authenticator", "Reset") => 1,
        ("/account/authenticator", "ForgetDevice") => 2,
        ("/account/sign-out", _) => 3,
        _ => 0,
    };

    private static bool AllowedFor(Route route, Kind kind) => route.Audience switch
    {
        Audience.SignedIn => kind is not (Kind.Anonymous or Kind.AdminWithPasswordOnly),
        Audience.BranchOfficer => kind == Kind.OfficerOfTheBranch || (kind == Kind.OfficerOfAnotherBranch && !route.CarriesBranchData),
        Audience.Moderator => kind is Kind.Moderator or Kind.Admin,
        Audience.Admin => kind == Kind.Admin,
        _ => true,
    };

    /// <summary>
    /// Refused by the site's rules: sent to the access-denied page, or sent to sign in and come back to this very
    /// address (a page that signs the person out and asks them to sign in again sends them somewhere else).
    /// </summary>
    private static bool IsSentAway(HttpResponseMessage response, string requested)
    {
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            return false;
        }

        var location = new Uri(new Uri("http://localhost"), response.Headers.Location!);
        var returnUrl = QueryHelpers.ParseQuery(location.Query).TryGetValue("ReturnUrl", out var value) ? value.ToString() : null;
        return location.AbsolutePath == "/account/access-denied"
            || (location.AbsolutePath == "/account/sign-in" && returnUrl == requested);
    }

    private IEnumerable<RouteEndpoint> Endpoints() =>
        App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

    private async Task<Seeded> SeedAsync()
    {
        var branches = await AdminData.UnionAndBranchesAsync(App);
        var disputeId = await AdminData.DisputeAsync(App, branches);
        var update = new DisputeUpdate { DisputeId = disputeId, Title = "Day one", Body = "Out.", AuthorName = "Branch", PublishedAt = DateTimeOffset.UtcNow };
        var statement = new RemittanceStatement
        {
            BranchId = branches.BurtonBranchId, PeriodStart = DateTimeOffset.UtcNow.AddDays(-14), PeriodEnd = DateTimeOffset.UtcNow.AddDays(-7),
            CreatedAt = DateTimeOffset.UtcNow,
        };
        await App.WithDbAsync(async db =>
        {
            db.AddRange(update, statement);
            await db.SaveChangesAsync();
        });
        return new Seeded(branches, disputeId, "argos-warehouses-2017", update.Id, statement.Id);
    }

    private async Task<IReadOnlyList<Person>> PeopleAsync(Seeded data)
    {
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer, withAuthenticator: true, branchId: data.Branches.BurtonBranchId);
        var otherOfficer = await SignIn.CreateAccountAsync(App, "other-officer@example.org", Roles.BranchOfficer, withAuthenticator: true, branchId: data.Branches.LutterworthBranchId);
        var moderator = await SignIn.CreateAccountAsync(App, "moderator@example.org", Roles.Moderator, withAuthenticator: true);
        var halfAdmin = await SignIn.CreateAccountAsync(App, "half-admin@example.org", Roles.Admin, withAuthenticator: true);
        var (admin, _) = await SignIn.AsAdminAsync(App);

        var withPasswordOnly = SignIn.NewClient(App);
        using (var password = await SignIn.WithPasswordAsync(withPasswordOnly, halfAdmin.Email, halfAdmin.Password))
        {
            Assert.StartsWith("/account/sign-in/two-factor", password.Headers.Location!.OriginalString);
        }

        return
        [
            new(Kind.Anonymous, SignIn.NewClient(App)),
            new(Kind.AdminWithPasswordOnly, withPasswordOnly),
            new(Kind.OfficerOfAnotherBranch, await SignIn.WithTwoFactorAsync(App, otherOfficer)),
            new(Kind.OfficerOfTheBranch, await SignIn.WithTwoFactorAsync(App, officer)),
            new(Kind.Moderator, await SignIn.WithTwoFactorAsync(App, moderator)),
            new(Kind.Admin, admin),
        ];
    }

    /// <summary>The form token a page gives this person, as a browser would post it back.</summary>
    private static Task<string> FormTokenAsync(Person person) =>
        person.Client.AntiforgeryTokenAsync(person.Kind is Kind.Anonymous or Kind.AdminWithPasswordOnly ? "/account/forgot-password" : "/account/password");

    private async Task<IReadOnlyList<Route>> RoutesAsync(Seeded data)
    {
        var loader = App.Services.GetRequiredService<PageLoader>();
        var routes = new List<Route>();
        foreach (var endpoint in Endpoints().OrderBy(e => e.RoutePattern.RawText, StringComparer.Ordinal))
        {
            var audience = endpoint.Metadata.GetMetadata<AudienceAttribute>()?.Audience
                ?? throw new InvalidOperationException($"{endpoint.RoutePattern.RawText} declares no audience.");
            var path = PathOf(endpoint.RoutePattern, data);
            var carriesBranchData = endpoint.RoutePattern.Parameters.Any(p => !p.IsOptional && !p.IsCatchAll);
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is { } page)
            {
                var compiled = await loader.LoadAsync(page, endpoint.Metadata);
                var posts = compiled.HandlerMethods
                    .Where(h => h.HttpMethod.Equals("POST", StringComparison.OrdinalIgnoreCase))
                    .Select(h => h.Name ?? "")
                    .Distinct()
                    .ToList();
                routes.Add(new Route(endpoint.RoutePattern.RawText!, path, audience, Get: true, posts, carriesBranchData));
            }
            else
            {
                var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"];
                routes.Add(new Route(endpoint.RoutePattern.RawText!, path, audience, methods.Contains("GET"),
                    methods.Contains("POST") ? [""] : [], carriesBranchData));
            }
        }

        return routes;
    }

    /// <summary>
    /// The route with its parameters filled in from real rows (a branch, a dispute with an update, a statement of one
    /// branch), so that a page answering 404 for an unknown id cannot pass for a refusal. A parameter with no sample
    /// value stops the test, so a new kind of route is given one here rather than skipped.
    /// </summary>
    private static string PathOf(RoutePattern pattern, Seeded data)
    {
        var raw = pattern.RawText!;
        var segments = new List<string>();
        foreach (var segment in pattern.PathSegments)
        {
            var text = string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart literal => literal.Content,
                RoutePatternSeparatorPart separator => separator.Content,
                RoutePatternParameterPart { Name: "code" } => "404",
                RoutePatternParameterPart { IsOptional: true } or RoutePatternParameterPart { IsCatchAll: true } => "",
                RoutePatternParameterPart { Name: "slug" } => data.Slug,
                RoutePatternParameterPart { Name: "disputeId" } => data.DisputeId.ToString(),
                RoutePatternParameterPart { Name: "format" } => "csv",
                RoutePatternParameterPart { Name: "token" or "sessionId" } => "an-unknown-link",
                RoutePatternParameterPart { Name: "donationId" } => Guid.NewGuid().ToString(),
                RoutePatternParameterPart { Name: "id" } => IdFor(raw, data).ToString(),
                RoutePatternParameterPart p => throw new InvalidOperationException($"No sample value for {{{p.Name}}} in {raw}: add one to this test."),
                _ => "",
            }));
            if (text.Length > 0)
            {
                segments.Add(text);
            }
        }

        return "/" + string.Join('/', segments);
    }

    private static Guid IdFor(string pattern, Seeded data)
    {
        string[] prefixes = ["/admin/branches/", "/admin/disputes/", "/admin/updates/", "/admin/remittances/", "/branch/statements/", "/donations/", "/monthly/"];
        Guid[] ids = [data.Branches.BurtonBranchId, data.DisputeId, data.UpdateId, data.StatementId, data.StatementId, Guid.NewGuid(), Guid.NewGuid()];
        var index = Array.FindIndex(prefixes, prefix => ("/" + pattern.TrimStart('/')).StartsWith(prefix, StringComparison.Ordinal));
        return index >= 0 ? ids[index] : throw new InvalidOperationException($"No sample {{id}} for {pattern}: add one to this test.");
    }
}
