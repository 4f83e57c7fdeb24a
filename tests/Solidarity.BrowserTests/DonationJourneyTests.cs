using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Solidarity.BrowserTests.Infrastructure;
using Solidarity.Core.Amounts;
using Solidarity.Web.Pages.Disputes;
using static Microsoft.Playwright.Assertions;

namespace Solidarity.BrowserTests;

/// <summary>
/// The supporter's journey through the site's test checkout (the browser site has no Stripe keys): the form,
/// the test payment page, the signed webhook the site sends itself, the thank-you page and the dispute's total.
/// </summary>
public sealed class DonationJourneyTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [ChromiumFact]
    public async Task Supporter_chooses_to_give_monthly_pays_the_first_month_at_the_test_checkout_and_is_thanked_for_a_monthly_gift()
    {
        var (slug, title) = await ArgosAsync();
        var page = await NewPageAsync();
        await OpenAsync(page, $"/disputes/{slug}/donate");

        await page.GetByLabel("Every month while the dispute lasts").CheckAsync();
        await page.Locator("label[for='preset-1000']").ClickAsync();
        await Expect(page.Locator("#charge-total")).ToHaveTextAsync("You will pay £10.00 a month.");
        await page.GetByLabel("Your name").FillAsync("Jo Monthly");
        await page.GetByLabel("Your email address").FillAsync("jo.monthly@example.org");
        await page.GetByLabel("I have read this notice").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();

        await page.WaitForURLAsync("**/test-checkout/cs_test_local_*");
        await Expect(page.Locator("#test-checkout-amount")).ToHaveTextAsync("£10.00 a month");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay (test)" }).ClickAsync();

        await page.WaitForURLAsync("**/monthly/*/thank-you");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Monthly gift confirmed", new() { Timeout = 20_000 });
        await Expect(page.Locator("#monthly-state")).ToContainTextAsync($"£10.00 a month to the {title}");
        var axe = await Accessibility.RunAxeAsync(page);
        Assert.True(axe.Violations.Length == 0, Accessibility.Describe(axe));
    }

    [ChromiumFact]
    public async Task The_donate_form_is_sent_once_however_often_it_is_pressed()
    {
        var (slug, _) = await ArgosAsync();
        var page = await NewPageAsync();
        await OpenAsync(page, $"/disputes/{slug}/donate");

        // Each press fires the form's submit event; the page's script lets only the first through. The test's own
        // listener, added after it, counts what would have been sent and holds every one back.
        var sent = await page.EvaluateAsync<int>("""
            () => {
              const form = document.getElementById('donate-form');
              let sent = 0;
              form.addEventListener('submit', event => { if (!event.defaultPrevented) sent++; event.preventDefault(); });
              const press = form.querySelector('button[type="submit"]');
              press.click();
              press.click();
              press.click();
              return sent;
            }
            """);

        Assert.Equal(1, sent);
    }

    [ChromiumFact]
    public async Task Supporter_donates_through_the_test_checkout_and_sees_the_new_total_on_the_dispute_page()
    {
        var (slug, title) = await ArgosAsync();
        var raisedBefore = await RaisedPenceAsync(slug);
        var page = await NewPageAsync();
        await OpenAsync(page, $"/disputes/{slug}/donate");

        await page.Locator("label[for='preset-2500']").ClickAsync();
        await page.GetByLabel("Your name").FillAsync("Jo Bloggs");
        await page.GetByLabel("Your email address").FillAsync("jo.bloggs@example.org");
        await page.GetByLabel("A message of support to the workers (optional)").FillAsync("Solidarity from Birmingham!");
        await page.GetByLabel("I have read this notice").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();

        await page.WaitForURLAsync("**/test-checkout/cs_test_local_*");
        await Expect(page.Locator(".test-mode-banner")).ToHaveTextAsync("TEST MODE — no money moves");
        await Expect(page.Locator("#test-checkout-amount")).ToHaveTextAsync("£25.00");
        await Expect(page.Locator("#test-checkout-dispute")).ToContainTextAsync(title);
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay (test)" }).ClickAsync();
        await page.WaitForLoadStateAsync();
        var undelivered = page.Locator("#test-checkout-outcome");
        if (await undelivered.CountAsync() > 0)
        {
            Assert.Fail("The test checkout stayed on its page: " + await undelivered.InnerTextAsync());
        }

        await page.WaitForURLAsync("**/donations/*/thank-you?session_id=cs_test_local_*");
        // The page refreshes itself every few seconds until the webhook has been recorded.
        await Expect(page.Locator("h1")).ToHaveTextAsync("Payment confirmed", new() { Timeout = 20_000 });
        await Expect(page.Locator("#donation-state")).ToContainTextAsync("£25.00");
        Assert.DoesNotContain("Jo Bloggs", await page.ContentAsync(), StringComparison.Ordinal);

        // The receipt is issued by a background job; the page refreshes itself until it can offer it.
        var receiptLink = page.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Download your receipt SOL-\\d{4}-\\d{6}") });
        await Expect(receiptLink).ToBeVisibleAsync(new() { Timeout = 20_000 });
        var download = await page.RunAndWaitForDownloadAsync(() => receiptLink.ClickAsync());
        await using (var pdf = await download.CreateReadStreamAsync())
        {
            var header = new byte[5];
            await pdf.ReadExactlyAsync(header);
            Assert.Equal("%PDF-"u8.ToArray(), header);
        }

        var raisedAfter = await RaisedPenceAsync(slug);
        Assert.Equal(raisedBefore + 2_500, raisedAfter);
        await page.Locator($"main a[href='/disputes/{slug}']").First.ClickAsync();
        await page.WaitForURLAsync($"**/disputes/{slug}");
        var shown = await page.Locator("main").InnerTextAsync();
        var total = Money.Pence(raisedAfter);
        Assert.True(
            shown.Contains(total.Format(), StringComparison.Ordinal) || shown.Contains(total.Format(dropZeroPence: true), StringComparison.Ordinal),
            $"The dispute page does not show the new total {total}.");
    }

    [ChromiumFact]
    public async Task Fee_estimate_and_total_follow_the_typed_amount_as_the_supporter_types()
    {
        var (slug, _) = await ArgosAsync();
        var page = await NewPageAsync();
        await OpenAsync(page, $"/disputes/{slug}/donate");

        await page.Locator("label[for='preset-1000']").ClickAsync();
        await Expect(page.Locator("#charge-total")).ToHaveTextAsync("You will pay £10.00.");
        await page.Locator("#other-amount").FillAsync("12.50");
        await page.GetByLabel("Cover the card processing fee", new() { Exact = false }).CheckAsync();

        await Expect(page.Locator("#fee-estimate")).ToHaveTextAsync("add £0.40");
        await Expect(page.Locator("#charge-total")).ToHaveTextAsync("You will pay £12.90.");
        Assert.False(await page.Locator("#preset-1000").IsCheckedAsync(), "Typing an amount should clear the preset.");

        // Read as the server reads it: a comma between thousands, never before the pence.
        await page.Locator("#other-amount").FillAsync("1,250");
        await Expect(page.Locator("#charge-total")).ToHaveTextAsync("You will pay £1,269.24.");
        await page.Locator("#other-amount").FillAsync("12,50");
        await Expect(page.Locator("#charge-total")).ToHaveTextAsync("");
    }

    [ChromiumFact]
    public async Task Cancelling_on_the_test_checkout_returns_to_the_filled_in_form()
    {
        var (slug, _) = await ArgosAsync();
        var page = await NewPageAsync();
        await OpenAsync(page, $"/disputes/{slug}/donate");
        await page.Locator("#other-amount").FillAsync("7.50");
        await page.GetByLabel("Your name").FillAsync("Jo Bloggs");
        await page.GetByLabel("Your email address").FillAsync("jo.bloggs@example.org");
        await page.GetByLabel("I have read this notice").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();
        await page.WaitForURLAsync("**/test-checkout/**");

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();

        await page.WaitForURLAsync($"**/disputes/{slug}/donate?cancelled=*");
        await Expect(page.Locator("#cancelled-notice")).ToContainTextAsync("nothing was charged");
        await Expect(page.Locator("#other-amount")).ToHaveValueAsync("7.50");
        await Expect(page.GetByLabel("Your email address")).ToHaveValueAsync("jo.bloggs@example.org");
    }

    private async Task<long> RaisedPenceAsync(string slug)
    {
        await using var scope = Site.Scope();
        var disputeId = await Site.WithDbAsync(db => db.Disputes.Where(d => d.Slug == slug).Select(d => d.Id).SingleAsync());
        var totals = await scope.ServiceProvider.GetRequiredService<DisputeTotalsQuery>().ForDisputeAsync(disputeId, CancellationToken.None);
        return totals.RaisedPence;
    }
}
