using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Admin;

/// <summary>
/// What the admin area's navigation offers each kind of person; who may open each page is checked for every route
/// of the site by the authorisation matrix.
/// </summary>
public sealed class AdminNavigationTests(SiteFixture fixture) : SiteTest(fixture)
{
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
        Assert.Contains("/admin/money/offline", links);
        Assert.Contains("/admin/money/reconciliation", links);
    }
}
