using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Stripe;
using Solidarity.Web.Pages.Donations.Webhooks;

namespace Solidarity.Tests.Hosting;

/// <summary>
/// `check-stripe` asks Stripe (here the loopback stand-in) for the account's webhook endpoints and fails when the one
/// sending to the site would leave out an event the site handles.
/// </summary>
public sealed class CheckStripeTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string SecretKey = "sk_test_check_stripe";
    private const string SiteUrl = "https://solidarity.example";
    private const string Webhook = SiteUrl + "/webhooks/stripe";

    private StripeStandIn _stripe = default!;
    private WebApplicationFactory<Program> _site = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _stripe = await StripeStandIn.StartAsync();
        _site = App.WithWebHostBuilder(b =>
        {
            b.UseSetting("Stripe:SecretKey", SecretKey);
            b.UseSetting("Stripe:ApiBase", _stripe.BaseUrl);
            b.UseSetting("Site:BaseUrl", SiteUrl);
        });
    }

    public override async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    [Fact]
    public async Task An_endpoint_that_does_not_send_refund_updates_fails_naming_the_missing_event()
    {
        _stripe.ServeWebhookEndpoints([new("we_site", Webhook, Every(except: "charge.refund.updated"))]);

        var (exitCode, output) = await CheckAsync(_site);

        Assert.Equal(StripeWebhookCheck.Failed, exitCode);
        Assert.Contains("missing: charge.refund.updated", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n'), line => line.Contains("missing:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_endpoint_sending_every_event_passes_without_warnings()
    {
        _stripe.ServeWebhookEndpoints([new("we_site", Webhook, ["*"])]);

        var (exitCode, output) = await CheckAsync(_site);

        Assert.Equal(StripeWebhookCheck.Passed, exitCode);
        Assert.Contains("OK: endpoint we_site", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Warning", output, StringComparison.Ordinal);
        Assert.All(_stripe.Requests, r => Assert.Equal("Bearer " + SecretKey, r.Authorization));
    }

    [Fact]
    public async Task Every_handled_event_listed_one_by_one_passes()
    {
        _stripe.ServeWebhookEndpoints([new("we_site", Webhook, [.. HandledStripeEvents.All, "payout.paid"])]);

        var (exitCode, _) = await CheckAsync(_site);

        Assert.Equal(StripeWebhookCheck.Passed, exitCode);
    }

    [Fact]
    public async Task A_disabled_endpoint_for_the_site_is_ignored_and_then_no_endpoint_sends_to_it()
    {
        _stripe.ServeWebhookEndpoints(
        [
            new("we_disabled", Webhook, ["*"], Status: "disabled"),
            new("we_elsewhere", "https://another.example/webhooks/stripe", ["*"]),
        ]);

        var (exitCode, output) = await CheckAsync(_site);

        Assert.Equal(StripeWebhookCheck.Failed, exitCode);
        Assert.Contains($"No enabled Stripe webhook endpoint sends to {Webhook}", output, StringComparison.Ordinal);
        Assert.Contains("Ignored: endpoint we_disabled", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_url_with_a_trailing_slash_and_a_capitalised_host_is_the_sites()
    {
        _stripe.ServeWebhookEndpoints([new("we_site", "https://Solidarity.Example/webhooks/stripe/", ["*"])]);

        var (exitCode, output) = await CheckAsync(_site);

        Assert.Equal(StripeWebhookCheck.Passed, exitCode);
        Assert.Contains("OK: endpoint we_site", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://solidarity.example/webhooks/stripe", true)]
    [InlineData("https://SOLIDARITY.example/webhooks/stripe/", true)]
    [InlineData("https://solidarity.example:443/webhooks/stripe", true)]
    [InlineData("http://solidarity.example/webhooks/stripe", false)]
    [InlineData("https://solidarity.example:8443/webhooks/stripe", false)]
    [InlineData("https://solidarity.example/webhooks/Stripe", false)]
    [InlineData("https://solidarity.example/webhooks/stripe-old", false)]
    [InlineData("https://www.solidarity.example/webhooks/stripe", false)]
    [InlineData("not a url", false)]
    public void Only_the_sites_own_webhook_address_counts(string url, bool expected) =>
        Assert.Equal(expected, StripeWebhookCheck.SendsTo(url, new Uri(Webhook)));

    [Fact]
    public async Task The_sites_endpoint_on_the_second_page_of_the_list_is_found()
    {
        _stripe.ServeWebhookEndpoints(
            [
                new("we_other_1", "https://one.example/webhooks/stripe", ["*"]),
                new("we_other_2", "https://two.example/webhooks/stripe", ["*"]),
                new("we_site", Webhook, ["*"]),
            ],
            pageSize: 2);

        var (exitCode, output) = await CheckAsync(_site);

        Assert.Equal(StripeWebhookCheck.Passed, exitCode);
        Assert.Contains("OK: endpoint we_site", output, StringComparison.Ordinal);
        var lists = _stripe.Requests.Where(r => r.Path == "/v1/webhook_endpoints").ToList();
        Assert.Equal(2, lists.Count);
        Assert.Contains("starting_after=we_other_2", lists[1].Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_api_version_other_than_the_one_StripeNet_pins_warns_but_passes()
    {
        _stripe.ServeWebhookEndpoints([new("we_site", Webhook, ["*"], ApiVersion: "2024-06-20")]);

        var (exitCode, output) = await CheckAsync(_site);

        Assert.Equal(StripeWebhookCheck.Passed, exitCode);
        var warning = Assert.Single(output.Split('\n'), line => line.StartsWith("Warning", StringComparison.Ordinal));
        Assert.Contains("2024-06-20", warning, StringComparison.Ordinal);
        Assert.Contains(Stripe.StripeConfiguration.ApiVersion, warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_Stripe_key_there_is_no_account_to_check_and_it_fails()
    {
        var (exitCode, output) = await CheckAsync(App);

        Assert.Equal(StripeWebhookCheck.Failed, exitCode);
        Assert.Contains("Stripe:SecretKey is not set", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_check_stripe_command_prints_the_missing_event_and_exits_1()
    {
        _stripe.ServeWebhookEndpoints([new("we_site", Webhook, Every(except: "charge.refund.updated"))]);
        var environment = SiteProcess.ProductionEnvironment(App.ConnectionString, SiteUrl);
        environment["Stripe__SecretKey"] = SecretKey;
        environment["Stripe__ApiBase"] = _stripe.BaseUrl;

        var (exitCode, output, error) = await SiteProcess.RunAsync(environment, "check-stripe");

        Assert.True(exitCode == StripeWebhookCheck.Failed, $"exit code {exitCode}; {error}");
        Assert.Contains("missing: charge.refund.updated", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_registered_before_monthly_giving_is_told_the_invoice_and_subscription_events_it_lacks()
    {
        string[] monthly = ["invoice.paid", "invoice.payment_failed", "customer.subscription.updated", "customer.subscription.deleted"];
        _stripe.ServeWebhookEndpoints([new("we_site", Webhook, [.. HandledStripeEvents.All.Except(monthly)])]);

        var (exitCode, output) = await CheckAsync(_site);

        Assert.Equal(StripeWebhookCheck.Failed, exitCode);
        Assert.All(monthly, type => Assert.Contains($"missing: {type}", output, StringComparison.Ordinal));
        Assert.Subset(HandledStripeEvents.All.ToHashSet(), monthly.ToHashSet());
    }

    [Fact]
    public void The_runbook_lists_exactly_the_events_the_site_handles()
    {
        var runbook = File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "README.md"));
        var start = runbook.IndexOf("- Events, every one of them", StringComparison.Ordinal);
        var end = runbook.IndexOf("\n\n", start, StringComparison.Ordinal);
        var listed = System.Text.RegularExpressions.Regex.Matches(runbook[start..end], "`([a-z_.]+)`").Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(HandledStripeEvents.All.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Solidarity.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests run from outside the repository.");
    }

    private static string[] Every(string except) => [.. HandledStripeEvents.All.Where(e => e != except)];

    private static async Task<(int ExitCode, string Output)> CheckAsync(WebApplicationFactory<Program> site)
    {
        await using var scope = site.Services.CreateAsyncScope();
        await using var output = new StringWriter();
        var exitCode = await scope.ServiceProvider.GetRequiredService<StripeWebhookCheck>().RunAsync(output, CancellationToken.None);
        return (exitCode, output.ToString());
    }
}
