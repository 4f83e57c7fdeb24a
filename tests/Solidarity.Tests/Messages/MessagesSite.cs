using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Core.Disputes;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Messages;

/// <summary>
/// A test on the messages site: tables and mailbox emptied, the clock at its default, and the Argos dispute with
/// two beneficiary branches (Burton with a contact email, Castleford without) and its 2017 strike.
/// </summary>
[Collection(PublicSiteCollection.Name)]
public abstract class MessagesTest(PublicSiteFixture fixture) : IAsyncLifetime
{
    public const string Slug = "argos-warehouse-strike";
    public const string DisputePath = "/disputes/" + Slug;
    public const string BurtonEmail = "wm7680@branch.example";

    /// <summary>17 May 2017 06:00 to 31 May 2017 05:59, London (BST).</summary>
    public static readonly DateTimeOffset StrikeStarts = new(2017, 5, 17, 5, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset StrikeEnds = new(2017, 5, 31, 4, 59, 0, TimeSpan.Zero);

    protected PublicSiteFixture Fixture { get; } = fixture;
    protected PublicSiteApp App => Fixture.App;
    protected LoopbackSmtp Smtp => Fixture.Smtp;
    protected TestClock Clock => App.Clock;
    protected Dispute Argos { get; private set; } = default!;
    protected Branch Burton { get; private set; } = default!;
    protected Branch Castleford { get; private set; } = default!;

    /// <summary>A client address of this test's own, so the rate limit of one test never touches another.</summary>
    protected string ClientAddress { get; } = $"10.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(1, 255)}";

    public virtual async Task InitializeAsync()
    {
        Clock.Now = TestClock.Default;
        await App.ResetAsync();
        await SolidarityApp.EvictPublicPagesAsync(App);
        Smtp.Clear();
        await App.WithDbAsync(async db =>
        {
            var union = new Union { Name = "Unite the Union" };
            Burton = new Branch
            {
                Code = "WM7680", Name = "Burton on Trent branch", Union = union, PostalAddress = "PO Box 0000\nBurton upon Trent",
                ContactName = "Pat Example", ContactEmail = BurtonEmail,
            };
            Castleford = new Branch { Code = "YH0001", Name = "Castleford branch", Union = union, PostalAddress = "PO Box 1", ContactName = "Sam Sample" };
            Argos = new Dispute
            {
                Slug = Slug, Title = "Argos warehouse strike", Employer = "Argos", Union = union,
                Summary = "About 1,400 warehouse workers defend their jobs.", Body = "Why they are out.", IsPublished = true,
                Status = DisputeStatus.TakingAction, TargetPence = 2_000_000,
                CreatedAt = TestClock.Default.AddDays(-10), UpdatedAt = TestClock.Default.AddDays(-10),
            };
            Argos.Beneficiaries.Add(new BeneficiaryBranch { Branch = Burton, ShareBasisPoints = 6_000 });
            Argos.Beneficiaries.Add(new BeneficiaryBranch { Branch = Castleford, ShareBasisPoints = 4_000 });
            Argos.Actions.Add(new DisputeAction
            {
                Kind = ActionKind.Strike, Title = "Two-week continuous strike", Details = "Picket lines from 06:00; bring a flask, and friends.",
                StartsAt = StrikeStarts, EndsAt = StrikeEnds,
            });
            db.AddRange(union, Burton, Castleford, Argos);
            await db.SaveChangesAsync();
        });
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A visitor's client: cookies kept, redirects shown, from <see cref="ClientAddress"/>.</summary>
    protected HttpClient Visitor(string? address = null)
    {
        var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Add(PublicSiteApp.ClientAddressHeader, address ?? ClientAddress);
        return client;
    }

    /// <summary>The admin who signs in by <see cref="AdminAsync"/>: null until then.</summary>
    protected TestAccount? Admin { get; private set; }

    /// <summary>
    /// The treasurer, an admin with an authenticator, signed in through the pages with both factors at the clock's time.
    /// A test that moves the clock stays within the session's limits (30 minutes idle, 12 hours in all).
    /// </summary>
    protected async Task<HttpClient> AdminAsync()
    {
        Admin = await SignIn.CreateAccountAsync(App, "treasurer@example.org", Roles.Admin, withAuthenticator: true);
        return await SignIn.WithTwoFactorAsync(App, Admin);
    }

    protected static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response) =>
        new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());

    protected static async Task<IHtmlDocument> GetPageAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}");
        return await ParseAsync(response);
    }

    /// <summary>Runs a job class directly, in a scope of its own, as a Hangfire worker would.</summary>
    protected async Task<T> RunAsync<TJob, T>(Func<TJob, Task<T>> run)
        where TJob : notnull
    {
        await using var scope = App.Scope();
        return await run(scope.ServiceProvider.GetRequiredService<TJob>());
    }

    protected static string Squash(string? text) =>
        string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
