using System.Net;
using System.Security.Claims;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Donations;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Checkout;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Tests.Ledger;
using Solidarity.Web.Pages.Admin.Money;
using Solidarity.Web.Pages.Disputes.Supporters;
using Solidarity.Web.Pages.Donations.Webhooks;
using Stripe;

namespace Solidarity.Tests.PublicPages;

/// <summary>
/// The supporters page lists the gifts whose donors chose to be named, newest first, with an amount only where the
/// donor asked for it, and only counts the others; a gift that no longer counts, or an erased donor, is never listed.
/// </summary>
public sealed class SupportersPageTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string Path = "/disputes/argos-warehouse-strike/supporters";

    private static readonly ClaimsPrincipal Admin = AdminSite.Principal();

    [Fact]
    public async Task Named_gifts_are_listed_newest_first_with_amounts_only_where_asked_and_the_rest_only_counted()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        var start = DateTimeOffset.UtcNow.AddDays(-3);
        await OfflineAsync(scenario, "Momentum South Birmingham", "Private Payer", start);
        await OfflineAsync(scenario, null, "Another Private Payer", start.AddHours(1));
        var shown = await CardAsync(scenario, 2_500, "Jo", showAmount: true);
        var hidden = await CardAsync(scenario, 1_500, "Sam", showAmount: false);
        await CardAsync(scenario, 1_000, null, showAmount: true);
        var refunded = await CardAsync(scenario, 700, "Refunded in full", showAmount: false);
        await ProcessAsync(refunded.Refund(700).Event);
        var erased = await CardAsync(scenario, 900, "Erased Person", showAmount: true);
        await App.WithDbAsync(db => db.Donations.Where(d => d.Id == erased.DonationId).ExecuteUpdateAsync(d => d
            .SetProperty(x => x.PublicName, (string?)null).SetProperty(x => x.DonorName, (string?)null)
            .SetProperty(x => x.Email, (string?)null).SetProperty(x => x.ErasedAt, DateTimeOffset.UtcNow)));

        using var client = App.CreateClient();
        var page = await HtmlPages.GetPageAsync(client, Path);

        var items = page.QuerySelectorAll(".supporter-list li").ToList();
        Assert.Equal(["Sam", "Jo", "Momentum South Birmingham"], items.Select(i => i.QuerySelector("strong")!.TextContent));
        Assert.Equal([null, "£25", null], items.Select(i => i.QuerySelector(".supporter-amount")?.TextContent));

        // Each gift's day, not the moment it was paid, which a watcher of the dispute's total could match to its amount.
        Assert.All(items, i => Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", i.QuerySelector("time")!.GetAttribute("datetime")));

        // Each name isolated, so that a right-to-left name leaves the order of the words around it as written.
        Assert.All(items, i => Assert.NotNull(i.QuerySelector("strong > bdi")));
        Assert.Equal(
            "And 3 gifts given without a name to show: by donors who chose not to be named, or collected offline.",
            page.QuerySelector("#unnamed-gifts")!.TextContent.Trim());
        Assert.Contains("counts each person or organisation once", page.QuerySelector("#gifts-not-people")!.TextContent, StringComparison.Ordinal);
        var text = page.Body!.TextContent;
        Assert.DoesNotContain("Private Payer", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Refunded in full", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Erased Person", text, StringComparison.Ordinal);
        Assert.DoesNotContain("£15", text, StringComparison.Ordinal);
        Assert.DoesNotContain("£10", text, StringComparison.Ordinal);
        Assert.NotNull(shown);
        Assert.NotNull(hidden);
    }

    [Fact]
    public async Task The_dispute_page_shows_the_newest_five_named_gifts_as_the_supporters_page_does()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        await OfflineAsync(scenario, "Momentum South Birmingham", "Private Payer", DateTimeOffset.UtcNow.AddDays(-3));
        foreach (var (name, pence) in new[] { ("Ana", 500L), ("Bo", 600L), ("Cy", 700L), ("Di", 800L) })
        {
            await CardAsync(scenario, pence, name, showAmount: name == "Bo");
        }

        await CardAsync(scenario, 900, null, showAmount: true);
        var refunded = await CardAsync(scenario, 1_100, "Refunded in full", showAmount: false);
        await ProcessAsync(refunded.Refund(1_100).Event);
        await Solidarity.Testing.SolidarityApp.EvictPublicPagesAsync(App);

        using var client = App.CreateClient();
        var page = await HtmlPages.GetPageAsync(client, "/disputes/argos-warehouse-strike");

        var latest = page.QuerySelectorAll("[data-testid=latest-supporters] li").Select(li => li.TextContent.Trim()).ToList();
        Assert.Equal(["Di", "Cy", "Bo gave £6", "Ana", "Momentum South Birmingham"], latest);
        Assert.DoesNotContain("Refunded in full", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Private Payer", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("a[href='/disputes/argos-warehouse-strike/supporters']"));
    }

    [Fact]
    public async Task Older_supporters_are_reached_by_a_cursor_and_each_gift_shows_once()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        var start = DateTimeOffset.UtcNow.AddDays(-10);
        var count = SupportersQuery.PageSize + 7;
        for (var i = 0; i < count; i++)
        {
            await OfflineAsync(scenario, $"Organisation {i:000}", null, start.AddMinutes(i));
        }

        using var client = App.CreateClient();
        var first = await HtmlPages.GetPageAsync(client, Path);
        var older = first.QuerySelector("nav[aria-label='Pages of supporters'] a[rel=next]")!.GetAttribute("href")!;
        var second = await HtmlPages.GetPageAsync(client, older);

        var names = Names(first).Concat(Names(second)).ToList();
        Assert.Equal(Enumerable.Range(0, count).Reverse().Select(i => $"Organisation {i:000}"), names);
        Assert.Null(second.QuerySelector("nav[aria-label='Pages of supporters'] a[rel=next]"));
        Assert.NotNull(second.QuerySelector("nav[aria-label='Pages of supporters'] a[href='/disputes/argos-warehouse-strike/supporters']"));
    }

    [Fact]
    public async Task A_cursor_that_is_not_one_is_a_bad_request_and_an_unknown_dispute_is_not_found()
    {
        await MoneyScenario.SeedAsync(App);
        using var client = App.CreateClient();

        using var bad = await client.GetAsync(new Uri(Path + "?older=yesterday", UriKind.Relative));
        using var unknown = await client.GetAsync(new Uri("/disputes/no-such-dispute/supporters", UriKind.Relative));
        using var books = await client.GetAsync(new Uri("/disputes/no-such-dispute/books.csv", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, books.StatusCode);
    }

    [Fact]
    public async Task Showing_the_amount_is_off_unless_ticked_and_needs_a_name_or_an_organisation()
    {
        var dispute = await CheckoutTestData.SeedDisputeAsync(App, "amount-shown");
        using var client = App.Browser();
        var form = await HtmlPages.GetPageAsync(client, dispute.DonatePath);
        Assert.False(((AngleSharp.Html.Dom.IHtmlInputElement)form.QuerySelector("#show-amount")!).IsChecked);

        var anonymous = CheckoutTestData.ValidForm();
        anonymous["Input.ShowAmount"] = "true";
        using var refused = await HtmlPages.PostFormAsync(client, dispute.DonatePath, anonymous);
        var page = await HtmlPages.ParseAsync(refused);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("An amount is shown only beside a name", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await App.WithDbAsync(db => db.Donations.CountAsync()));

        var named = CheckoutTestData.ValidForm();
        named["Input.ShowPublicName"] = "true";
        named["Input.PublicName"] = "Jo";
        named["Input.ShowAmount"] = "true";
        using var accepted = await HtmlPages.PostFormAsync(client, dispute.DonatePath, named);
        var unticked = CheckoutTestData.ValidForm();
        unticked["Input.OrganisationName"] = "Momentum South Birmingham";
        unticked["Input.Email"] = "treasurer@momentum.example";
        using var plain = await HtmlPages.PostFormAsync(client, dispute.DonatePath, unticked);

        Assert.Equal(HttpStatusCode.SeeOther, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, plain.StatusCode);
        var stored = await App.WithDbAsync(db => db.Donations.OrderBy(d => d.CreatedAt).Select(d => d.ShowAmountPublicly).ToListAsync());
        Assert.Equal([true, false], stored);
    }

    private static IEnumerable<string> Names(IDocument page) =>
        page.QuerySelectorAll(".supporter-list li strong").Select(s => s.TextContent);

    private async Task OfflineAsync(MoneyScenario scenario, string? organisation, string? payer, DateTimeOffset receivedAt)
    {
        await using var scope = App.Scope();
        var gift = new OfflineGift(
            Guid.CreateVersion7(), scenario.DisputeId, scenario.Burton, DonationMethod.Cheque, 5_000, receivedAt, payer, organisation, null, "Cheque");
        Assert.True(await scope.ServiceProvider.GetRequiredService<OfflineMoney>().RecordAsync(gift, Admin, CancellationToken.None));
    }

    private async Task<CardPayment> CardAsync(MoneyScenario scenario, long pence, string? publicName, bool showAmount)
    {
        var id = await scenario.CardDonationAsync(App, pence, donorKey: Guid.NewGuid().ToString("N"));
        await App.WithDbAsync(db => db.Donations.Where(d => d.Id == id)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.PublicName, publicName).SetProperty(x => x.ShowAmountPublicly, showAmount)));
        var payment = new CardPayment(id, pence);
        await ProcessAsync(payment.Completed());
        await Task.Delay(5);
        return payment;
    }

    private async Task ProcessAsync(string payload)
    {
        await using var scope = App.Scope();
        Assert.Equal(
            WebhookOutcomes.Applied,
            await scope.ServiceProvider.GetRequiredService<StripeEventProcessor>()
                .ProcessAsync(EventUtility.ParseEvent(payload, throwOnApiVersionMismatch: false), CancellationToken.None));
    }
}
