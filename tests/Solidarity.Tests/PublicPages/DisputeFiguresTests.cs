using AngleSharp.Dom;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Webhooks;
using Solidarity.Tests.Infrastructure;
using Solidarity.Tests.Ledger;

namespace Solidarity.Tests.PublicPages;

/// <summary>The dispute page's figures, right to the penny just after money moves, though the page is cached.</summary>
public sealed class DisputeFiguresTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string Path = "/disputes/argos-warehouse-strike";

    [Fact]
    public async Task The_page_shows_each_donation_refund_and_chargeback_to_the_penny_as_soon_as_it_is_confirmed()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        using var visitor = App.CreateClient();
        using var stripe = App.CreateClient();
        Assert.Equal(("£0", "0 supporters"), await FiguresAsync(visitor));

        var first = new CardPayment(await scenario.CardDonationAsync(App, 2_537, donorKey: "email:first"), 2_537);
        await WebhookSender.DeliverAsync(stripe, first.Completed());
        Assert.Equal(("£25.37", "1 supporter"), await FiguresAsync(visitor));

        var second = new CardPayment(await scenario.CardDonationAsync(App, 1_001, donorKey: "email:second"), 1_001);
        await WebhookSender.DeliverAsync(stripe, second.Completed());
        Assert.Equal(("£35.38", "2 supporters"), await FiguresAsync(visitor));

        await WebhookSender.DeliverAsync(stripe, first.Refund(537).Event);
        Assert.Equal(("£30.01", "2 supporters"), await FiguresAsync(visitor));

        await WebhookSender.DeliverAsync(stripe, second.Dispute("dp_test_page", "charge.dispute.created", "needs_response", 1_001));
        Assert.Equal(("£20", "1 supporter"), await FiguresAsync(visitor));
    }

    [Fact]
    public async Task A_refund_that_fails_shows_its_money_back_on_the_page_as_soon_as_it_is_reported()
    {
        var scenario = await MoneyScenario.SeedAsync(App);
        using var visitor = App.CreateClient();
        using var stripe = App.CreateClient();
        var payment = new CardPayment(await scenario.CardDonationAsync(App, 1_001, donorKey: "email:refunded"), 1_001);
        await WebhookSender.DeliverAsync(stripe, payment.Completed());
        var (refundId, refunded) = payment.Refund(333, "pending");
        await WebhookSender.DeliverAsync(stripe, refunded);
        Assert.Equal(("£6.68", "1 supporter"), await FiguresAsync(visitor));

        await WebhookSender.DeliverAsync(stripe, payment.RefundUpdated(refundId, "failed", "expired_or_canceled_card"));

        Assert.Equal(("£10.01", "1 supporter"), await FiguresAsync(visitor));
    }

    private static async Task<(string Raised, string Supporters)> FiguresAsync(HttpClient client)
    {
        var page = await HtmlForm.ParseAsync(await client.GetAsync(Path));
        var block = page.QuerySelector(".progress-block")!;
        return (block.QuerySelector(".raised strong")!.TextContent.Trim(), block.QuerySelector(".supporters")!.TextContent.Trim());
    }
}
