using System.Net;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Accounts;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Admin;

public sealed class ContentSecurityTests(SiteFixture fixture) : SiteTest(fixture)
{
    /// <summary>The site's CSP refuses inline style and script, so a page that used them would break in the browser.</summary>
    [Fact]
    public async Task Account_and_admin_pages_use_no_inline_style_or_script()
    {
        var seeded = await AdminData.UnionAndBranchesAsync(App);
        var disputeId = await AdminData.DisputeAsync(App, seeded);
        var (admin, _) = await SignIn.AsAdminAsync(App);
        var enrolling = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        var invitation = await Invite.IssueAsync(App, "new-admin@example.org", Roles.Admin);
        using var anonymous = SignIn.NewClient(App);
        using var enrollingClient = SignIn.NewClient(App);
        using var _ = admin;
        using var signedIn = await SignIn.WithPasswordAsync(enrollingClient, enrolling.Email, enrolling.Password);

        var pages = new (HttpClient Client, string Url)[]
        {
            (anonymous, "/account/sign-in"),
            (anonymous, "/account/access-denied"),
            (anonymous, invitation.Path),
            (enrollingClient, "/account/authenticator"),
            (admin, "/account/authenticator"),
            (admin, "/account/sign-out"),
            (admin, "/admin"),
            (admin, "/admin/disputes"),
            (admin, "/admin/disputes/new"),
            (admin, $"/admin/disputes/{disputeId}/edit"),
            (admin, "/admin/branches"),
            (admin, "/admin/branches/new"),
            (admin, $"/admin/branches/{seeded.BurtonBranchId}/edit"),
            (admin, "/admin/audit"),
            (admin, "/admin/people"),
            (admin, "/admin/updates"),
        };
        foreach (var (client, url) in pages)
        {
            using var response = await client.GetAsync(url);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Forbidden, $"{url}: {response.StatusCode}");
            var document = await HtmlForm.ParseAsync(response);
            Assert.Empty(document.QuerySelectorAll("[style]").Select(e => $"{url}: {e.OuterHtml}"));
            Assert.Empty(document.QuerySelectorAll("style, script:not([src])").Select(e => $"{url}: {e.OuterHtml}"));
            Assert.Empty(document.All.Where(e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.Ordinal))).Select(e => $"{url}: {e.OuterHtml}"));
        }
    }
}
