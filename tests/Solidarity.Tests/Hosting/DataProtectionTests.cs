using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Hosting;

/// <summary>
/// Two processes of the site on one database, as behind a load balancer: one browser's cookies and forms, written by
/// one process, are read by the other, because both take their data-protection keys from the database.
/// </summary>
public sealed class DataProtectionTests(SiteFixture fixture) : SiteTest(fixture)
{
    private readonly CookieContainer _browser = new();

    [Fact]
    public async Task Sign_in_on_one_process_is_honoured_by_another()
    {
        await using var other = SecondProcess();
        var admin = await SignIn.CreateAccountAsync(App, "admin@example.org", Roles.Admin, withAuthenticator: true);
        using var first = Browser(App);
        using var password = await SignIn.WithPasswordAsync(first, admin.Email, admin.Password);
        using var code = await SignIn.WithCodeAsync(first, password.Headers.Location!.OriginalString, admin.CurrentCode());
        Assert.Equal(HttpStatusCode.Redirect, code.StatusCode);

        using var second = Browser(other);
        using var dashboard = await second.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);

        using var stranger = SignIn.NewClient(other);
        using var refused = await stranger.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
    }

    [Fact]
    public async Task Form_from_one_process_is_accepted_by_another()
    {
        await using var other = SecondProcess();
        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer);
        using var first = Browser(App);
        using var second = Browser(other);

        using var page = await first.GetAsync("/account/sign-in");
        var form = HtmlForm.From(second, await HtmlForm.ParseAsync(page));
        using var posted = await form.Set("Input.Email", officer.Email).Set("Input.Password", officer.Password).SubmitAsync();

        // A token the second process could not read would answer 400 Bad Request.
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Contains(_browser.GetCookies(new Uri("http://localhost/")), c => c.Name == "solidarity.auth");
    }

    [Fact]
    public async Task Keys_are_kept_in_the_database_not_on_the_machine()
    {
        await using var other = SecondProcess();
        using var first = Browser(App);
        using var page = await first.GetAsync("/account/sign-in");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        var stored = await App.WithDbAsync(async db => await db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml!).ToListAsync());
        var storedIds = stored.Select(xml => Guid.Parse(XElement.Parse(xml).Attribute("id")!.Value)).ToHashSet();
        Assert.NotEmpty(storedIds);

        var seenBySecond = other.Services.GetRequiredService<IKeyManager>().GetAllKeys().Select(k => k.KeyId).ToHashSet();
        Assert.Equal(storedIds, seenBySecond);
    }

    private SolidarityApp SecondProcess()
    {
        var other = new SolidarityApp();
        other.ShareDatabaseOf(App);
        return other;
    }

    /// <summary>One browser whose requests land on <paramref name="app"/>; every client made here shares its cookie jar.</summary>
    private HttpClient Browser(SolidarityApp app) =>
        app.CreateDefaultClient(new Uri("http://localhost/"), new CookieContainerHandler(_browser));
}
