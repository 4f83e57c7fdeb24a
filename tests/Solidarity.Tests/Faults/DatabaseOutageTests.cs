using System.Net;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Solidarity.Core.Donations;
using Solidarity.Core.Amounts;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Checkout;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Web.Infrastructure.Hosting;

namespace Solidarity.Tests.Faults;

/// <summary>
/// PostgreSQL stops for 20 seconds while Stripe keeps delivering webhooks to the built site running as a Production
/// process of its own, on a cluster of this test's own (never the shared test server). Every delivery is retried until
/// it gets a 2xx, as Stripe retries. The test's in-process host only migrates, arranges and reads the database.
/// </summary>
public sealed class DatabaseOutageTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Webhooks_answer_5xx_while_the_database_is_down_and_once_it_is_back_every_event_is_recorded_once_without_a_restart()
    {
        await using var server = await TestPostgres.StartOwnClusterAsync();
        await using var stripeApi = await StripeStandIn.StartAsync();
        await using var app = new SolidarityApp();
        await app.InitialiseAsync(server, "outage");
        var dispute = await CheckoutTestData.SeedDisputeAsync(app);
        var donations = await app.WithDbAsync(async db =>
        {
            var created = Enumerable.Range(0, 60).Select(i =>
            {
                var amount = 1_000 + i;
                var parts = Allocation.Split(amount, [6_000, 4_000]);
                return new Donation
                {
                    DisputeId = dispute.Id, Method = DonationMethod.Card, Status = DonationStatus.Pending, AmountPence = amount,
                    CreatedAt = DateTimeOffset.UtcNow, StripeCheckoutSessionId = StripePayloads.NewId("cs"),
                    Allocations =
                    [
                        new DonationAllocation { BranchId = dispute.MajorBranchId, AmountPence = parts[0] },
                        new DonationAllocation { BranchId = dispute.MinorBranchId, AmountPence = parts[1] },
                    ],
                };
            }).ToList();
            db.Donations.AddRange(created);
            await db.SaveChangesAsync();
            return created;
        });
        var events = donations.Select(d => StripePayloads.Event("checkout.session.completed", PaidSession(d))).ToList();
        var environment = SiteProcess.ProductionEnvironment(app.ConnectionString);
        environment["Stripe__ApiBase"] = stripeApi.BaseUrl;
        await using var site = await SiteProcess.StartAsync(environment);
        using var stripe = new HttpClient { BaseAddress = site.Address };
        using var probe = new HttpClient { BaseAddress = site.Address };
        var serverErrors = 0;
        var delivered = 0;

        // Stripe's side: each event is sent until it gets a 2xx, in order, while the database goes away and comes back.
        var sending = Task.Run(async () =>
        {
            foreach (var payload in events)
            {
                while (true)
                {
                    using var response = await WebhookSender.SendAsync(stripe, payload);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref delivered);
                        break;
                    }

                    Assert.True((int)response.StatusCode >= 500, $"A delivery during the outage answered {(int)response.StatusCode}, which Stripe would not retry.");
                    Interlocked.Increment(ref serverErrors);
                    await Task.Delay(200);
                }

                await Task.Delay(50);
            }
        });

        await Eventually(() => Volatile.Read(ref delivered) >= 10, "the first deliveries");
        await server.StopAsync();
        var stoppedAt = DateTimeOffset.UtcNow;
        await Eventually(async () => (await probe.GetAsync(HealthHosting.ReadyPath)).StatusCode == HttpStatusCode.ServiceUnavailable, "readiness to report the database down");
        var deliveredWhileDown = Volatile.Read(ref delivered);
        await Task.Delay(Outage - (DateTimeOffset.UtcNow - stoppedAt));
        Assert.True(Volatile.Read(ref delivered) <= deliveredWhileDown + 1, "Deliveries succeeded with the database down.");
        Assert.True(Volatile.Read(ref serverErrors) > 0, "No delivery was refused while the database was down.");
        await server.StartAgainAsync();

        await sending.WaitAsync(TimeSpan.FromMinutes(3));
        await Eventually(async () => (await probe.GetAsync(HealthHosting.ReadyPath)).StatusCode == HttpStatusCode.OK, "readiness to recover");
        Assert.False(site.HasExited, $"The site stopped:\n{site.Output}");

        // This host's pooled connections died with the server; the site's own were replaced as it went on.
        NpgsqlConnection.ClearAllPools();
        var (recorded, entries, paid) = await app.WithDbAsync(async db => (
            await db.StripeEvents.CountAsync(), await db.LedgerEntries.CountAsync(), await db.Donations.CountAsync(d => d.Status == DonationStatus.Paid)));
        Assert.Equal(events.Count, recorded);
        Assert.Equal(2 * events.Count, entries);
        Assert.Equal(events.Count, paid);
        var raised = await app.WithDbAsync(db => db.LedgerEntries.SumAsync(e => e.AmountPence));
        Assert.Equal(donations.Sum(d => d.AmountPence), raised);
        Assert.Empty(stripeApi.Requests);
    }

    /// <summary>
    /// A paid session with its payment intent and charge expanded, the charge not yet settled (no balance transaction):
    /// the site has everything it needs and asks Stripe's API nothing.
    /// </summary>
    private static System.Text.Json.Nodes.JsonObject PaidSession(Donation donation)
    {
        var paymentIntentId = StripePayloads.NewId("pi");
        var charge = StripePayloads.Charge(donation.Id, StripePayloads.NewId("ch"), paymentIntentId, donation.AmountPence);
        var session = StripePayloads.Session(donation.Id, donation.StripeCheckoutSessionId!, paymentIntentId, donation.AmountPence);
        session["payment_intent"] = StripePayloads.PaymentIntent(donation.Id, paymentIntentId, donation.AmountPence, charge);
        return session;
    }

    private static Task Eventually(Func<bool> condition, string what) => Eventually(() => Task.FromResult(condition()), what);

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Gave up waiting for {what}.");
            await Task.Delay(250);
        }
    }
}
