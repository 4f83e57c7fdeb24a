using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Donations;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Throttling;
using static Solidarity.Testing.HtmlPages;
using static Solidarity.Tests.Donations.Checkout.CheckoutTestData;

namespace Solidarity.Tests.Donations.Checkout;

/// <summary>
/// Card testing: declined payments reach the site as payment_intent.payment_failed and charge.failed; several within an
/// hour from one client or one email address block new checkouts from it for a day.
/// </summary>
public sealed class CardTestingTests(SiteFixture fixture) : SiteTest(fixture)
{
    private WebApplicationFactory<Program> _site = default!;
    private SeededDispute _dispute = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _dispute = await SeedDisputeAsync(App);
        _site = App.WithWebHostBuilder(b =>
        {
            b.UseSetting("Donations:DeclinedPaymentsBeforeBlock", "3");
            b.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, ClientAddress>());
        });
    }

    public override async Task DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task Three_declined_cards_from_one_client_block_its_next_checkout_in_words_and_other_clients_go_on()
    {
        using var tester = _site.ClientAt("192.0.2.80");
        for (var i = 1; i <= 3; i++)
        {
            var donation = await StartAsync(tester, $"card{i}@example.org");
            await DeclineAsync(donation);
            if (i < 3)
            {
                using var stillAllowed = await tester.DonateAsync(_dispute, $"between{i}@example.org");
                Assert.Equal(HttpStatusCode.SeeOther, stillAllowed.StatusCode);
            }
        }

        using var refused = await tester.DonateAsync(_dispute, "fresh@example.org");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var page = await ParseAsync(refused);
        Assert.Contains("were declined", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Nothing was charged", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal("fresh@example.org", page.ValueOf("Input.Email"));
        Assert.Equal(0, await App.WithDbAsync(db => db.Donations.CountAsync(d => d.Email == "fresh@example.org")));

        using var someoneElse = _site.ClientAt("192.0.2.81");
        using var allowed = await someoneElse.DonateAsync(_dispute, "someone.else@example.org");
        Assert.Equal(HttpStatusCode.SeeOther, allowed.StatusCode);
    }

    [Fact]
    public async Task A_client_whose_gifts_are_paid_is_allowed_one_more_declined_card_for_each_as_a_crowd_on_one_address_needs()
    {
        // A rally's Wi-Fi: three people give, then five cards are declined (typos, expired cards), one more than three
        // declines and the three paid gifts allow, so the next is still let through; a sixth decline blocks the address.
        using var venue = _site.ClientAt("192.0.2.120");
        for (var i = 1; i <= 3; i++)
        {
            await PayAsync(await StartAsync(venue, $"paid{i}@example.org"));
        }

        for (var i = 1; i <= 5; i++)
        {
            await DeclineAsync(await StartAsync(venue, $"declined{i}@example.org"));
        }

        using var stillAllowed = await venue.DonateAsync(_dispute, "after.five@example.org");
        Assert.Equal(HttpStatusCode.SeeOther, stillAllowed.StatusCode);

        await DeclineAsync(await StartAsync(venue, "declined6@example.org"));

        using var refused = await venue.DonateAsync(_dispute, "after.six@example.org");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("were declined", (await ParseAsync(refused)).Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Three_declined_cards_for_one_email_block_it_from_any_client()
    {
        for (var i = 1; i <= 3; i++)
        {
            using var client = _site.ClientAt($"192.0.2.{90 + i}");
            await DeclineAsync(await StartAsync(client, "Tested.Address@example.org"));
        }

        using var newClient = _site.ClientAt("192.0.2.99");
        using var refused = await newClient.DonateAsync(_dispute, "tested.address@example.org");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        using var otherEmail = await newClient.DonateAsync(_dispute, "other@example.org");
        Assert.Equal(HttpStatusCode.SeeOther, otherEmail.StatusCode);
    }

    [Fact]
    public async Task One_declined_attempt_counts_once_however_many_of_its_events_arrive()
    {
        using var tester = _site.ClientAt("192.0.2.100");
        var donation = await StartAsync(tester, "once@example.org");
        var chargeId = StripePayloads.NewId("ch");
        var intentId = StripePayloads.NewId("pi");
        using var webhooks = _site.CreateClient();
        var intentFailed = StripePayloads.Event("payment_intent.payment_failed", FailedIntent(donation, intentId, chargeId));
        var chargeFailed = StripePayloads.Event("charge.failed", FailedCharge(donation, intentId, chargeId));
        foreach (var payload in new[] { intentFailed, chargeFailed, intentFailed, chargeFailed, chargeFailed })
        {
            Assert.Contains(await WebhookSender.DeliverAsync(webhooks, payload), new[] { "applied", "duplicate" });
        }

        await DeclineAsync(await StartAsync(tester, "twice@example.org"));

        // Two attempts, not six: the client is one declined payment short of the block.
        using var allowed = await tester.DonateAsync(_dispute, "third@example.org");
        Assert.Equal(HttpStatusCode.SeeOther, allowed.StatusCode);
        Assert.Equal(DonationStatus.Pending, await App.WithDbAsync(db => db.Donations.Where(d => d.Id == donation).Select(d => d.Status).SingleAsync()));
    }

    [Fact]
    public async Task The_reconciliation_page_lists_the_blocks_without_any_address_and_they_go_after_a_day()
    {
        using var tester = _site.ClientAt("192.0.2.110");
        for (var i = 1; i <= 3; i++)
        {
            await DeclineAsync(await StartAsync(tester, $"listed{i}@example.org"));
        }

        var (admin, _) = await SignIn.AsAdminAsync(App);
        var page = await admin.GetPageAsync("/admin/money/reconciliation");
        var blocks = page.QuerySelector("[data-testid=checkout-blocks]")!.TextContent;
        Assert.Contains("A connection (client address)", blocks, StringComparison.Ordinal);
        Assert.DoesNotContain("192.0.2.110", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("listed", page.Body!.TextContent, StringComparison.Ordinal);

        // A day on, the purge removes the block and the record of which client started each checkout.
        await App.WithDbAsync(async db =>
        {
            await db.ThrottleCounters.ExecuteUpdateAsync(c => c.SetProperty(x => x.WindowStart, x => x.WindowStart.AddDays(-2)));
            await db.CheckoutClients.ExecuteUpdateAsync(c => c.SetProperty(x => x.CreatedAt, x => x.CreatedAt.AddDays(-2)));
        });
        await using (var scope = App.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<PurgeThrottlesJob>().RunAsync(CancellationToken.None);
        }

        Assert.Equal(0, await App.WithDbAsync(db => db.CheckoutClients.CountAsync()));
        using var allowed = await tester.DonateAsync(_dispute, "after.a.day@example.org");
        Assert.Equal(HttpStatusCode.SeeOther, allowed.StatusCode);
    }

    private async Task<Guid> StartAsync(HttpClient client, string email)
    {
        using var started = await client.DonateAsync(_dispute, email);
        Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        return await App.WithDbAsync(db => db.Donations.Where(d => d.Email == email).OrderByDescending(d => d.CreatedAt).Select(d => d.Id).FirstAsync());
    }

    /// <summary>Stripe's word that the donation's checkout was paid.</summary>
    private async Task PayAsync(Guid donation)
    {
        var charged = await App.WithDbAsync(db => db.Donations.Where(d => d.Id == donation).Select(d => d.AmountPence + d.FeeCoverPence).SingleAsync());
        using var webhooks = _site.CreateClient();
        Assert.Equal("applied", await WebhookSender.DeliverAsync(webhooks, new CardPayment(donation, charged).Completed()));
    }

    /// <summary>Stripe's two events for one card declined inside Checkout.</summary>
    private async Task DeclineAsync(Guid donation)
    {
        var chargeId = StripePayloads.NewId("ch");
        var intentId = StripePayloads.NewId("pi");
        using var webhooks = _site.CreateClient();
        Assert.Equal("applied", await WebhookSender.DeliverAsync(webhooks, StripePayloads.Event("charge.failed", FailedCharge(donation, intentId, chargeId))));
        await WebhookSender.DeliverAsync(webhooks, StripePayloads.Event("payment_intent.payment_failed", FailedIntent(donation, intentId, chargeId)));
    }

    private static JsonObject FailedCharge(Guid donation, string intentId, string chargeId) => new()
    {
        ["id"] = chargeId,
        ["object"] = "charge",
        ["amount"] = 2_500,
        ["currency"] = "gbp",
        ["metadata"] = new JsonObject { ["donation_id"] = donation.ToString() },
        ["paid"] = false,
        ["payment_intent"] = intentId,
        ["status"] = "failed",
        ["failure_code"] = "card_declined",
        ["failure_message"] = "Your card was declined.",
    };

    private static JsonObject FailedIntent(Guid donation, string intentId, string chargeId) => new()
    {
        ["id"] = intentId,
        ["object"] = "payment_intent",
        ["amount"] = 2_500,
        ["currency"] = "gbp",
        ["metadata"] = new JsonObject { ["donation_id"] = donation.ToString() },
        ["status"] = "requires_payment_method",
        ["latest_charge"] = chargeId,
        ["last_payment_error"] = new JsonObject
        {
            ["type"] = "card_error", ["code"] = "card_declined", ["decline_code"] = "generic_decline", ["charge"] = chargeId,
            ["message"] = "Your card was declined.",
        },
    };
}
