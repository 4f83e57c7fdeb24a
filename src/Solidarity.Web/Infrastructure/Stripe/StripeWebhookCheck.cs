using Solidarity.Web.Pages.Donations.Webhooks;
using Stripe;

namespace Solidarity.Web.Infrastructure.Stripe;

/// <summary>
/// The `check-stripe` command: asks Stripe for the account's webhook endpoints and checks that the enabled one
/// sending to this site subscribes to every event type the site handles. Stripe sends only what an endpoint
/// subscribes to, so a type left out fails without a sound: a refund Stripe later cancels would never reach the ledger.
/// </summary>
internal sealed class StripeWebhookCheck(IStripeClient stripe, IOptions<StripeSettings> settings, SiteAddress site)
{
    public const int Passed = 0;
    public const int Failed = 1;

    /// <summary>What an endpoint subscribed to every event type lists as its enabled events.</summary>
    private const string EveryEvent = "*";

    public async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        if (settings.Value.UsesTestCheckout)
        {
            await output.WriteLineAsync("Stripe:SecretKey is not set: the site uses its own test checkout, and there is no Stripe account to check.");
            return Failed;
        }

        var webhook = new Uri(site.BaseUrl() + StripeWebhookEndpoint.Path);
        var pointingHere = new List<WebhookEndpoint>();
        try
        {
            var endpoints = new WebhookEndpointService(stripe).ListAutoPagingAsync(
                new WebhookEndpointListOptions { Limit = 100 }, cancellationToken: cancellationToken);
            await foreach (var endpoint in endpoints)
            {
                if (SendsTo(endpoint.Url, webhook))
                {
                    pointingHere.Add(endpoint);
                }
            }
        }
        catch (Exception e) when (e is StripeException or HttpRequestException)
        {
            await output.WriteLineAsync($"Could not list the Stripe account's webhook endpoints: {e.Message}");
            return Failed;
        }

        foreach (var disabled in pointingHere.Where(e => !IsEnabled(e)))
        {
            await output.WriteLineAsync($"Ignored: endpoint {disabled.Id} sends to {webhook} but is {disabled.Status}.");
        }

        var enabled = pointingHere.Where(IsEnabled).ToList();
        if (enabled.Count == 0)
        {
            await output.WriteLineAsync(
                $"No enabled Stripe webhook endpoint sends to {webhook}: no card donation can be confirmed. " +
                "Add one with the events below (deploy/README.md, section 6).");
            foreach (var type in HandledStripeEvents.All)
            {
                await output.WriteLineAsync($"  {type}");
            }

            return Failed;
        }

        if (enabled.Count > 1)
        {
            // Each endpoint signs with a secret of its own and the site knows one: the others' events are refused.
            await output.WriteLineAsync(
                $"Warning: {enabled.Count} enabled endpoints send to {webhook} ({string.Join(", ", enabled.Select(e => e.Id))}); " +
                "the site verifies one signing secret, so the events of all but one are refused. Keep one.");
        }

        var result = Passed;
        foreach (var endpoint in enabled)
        {
            if (await CheckAsync(endpoint, output) == Failed)
            {
                result = Failed;
            }
        }

        return result;
    }

    private static async Task<int> CheckAsync(WebhookEndpoint endpoint, TextWriter output)
    {
        await output.WriteLineAsync($"Endpoint {endpoint.Id} sends to {endpoint.Url}.");

        // The site parses events of any version, but objects shaped by another version may lack fields it reads.
        var pinned = StripeConfiguration.ApiVersion;
        if (!string.Equals(endpoint.ApiVersion, pinned, StringComparison.Ordinal))
        {
            var actual = string.IsNullOrEmpty(endpoint.ApiVersion) ? "the account's default API version" : $"API version {endpoint.ApiVersion}";
            await output.WriteLineAsync(
                $"Warning: endpoint {endpoint.Id} sends events in {actual}; the site's Stripe.net is built for {pinned}. " +
                "Make a new endpoint with that version and move the signing secret to it.");
        }

        var enabled = endpoint.EnabledEvents ?? [];
        var missing = enabled.Contains(EveryEvent, StringComparer.Ordinal)
            ? []
            : HandledStripeEvents.All.Except(enabled, StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
        {
            await output.WriteLineAsync($"OK: endpoint {endpoint.Id} sends every event type the site handles.");
            return Passed;
        }

        await output.WriteLineAsync($"Endpoint {endpoint.Id} does not send {missing.Count} event type(s) the site handles; add them:");
        foreach (var type in missing)
        {
            await output.WriteLineAsync($"  missing: {type}");
        }

        return Failed;
    }

    private static bool IsEnabled(WebhookEndpoint endpoint) => string.Equals(endpoint.Status, "enabled", StringComparison.Ordinal);

    /// <summary>
    /// Whether <paramref name="url"/> is the site's webhook: host names are case-insensitive and a trailing slash
    /// reaches the same endpoint, so neither makes a difference; scheme, port, path and query must match.
    /// </summary>
    public static bool SendsTo(string? url, Uri webhook)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }

        return string.Equals(uri.Scheme, webhook.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Host, webhook.Host, StringComparison.OrdinalIgnoreCase)
            && uri.Port == webhook.Port
            && string.Equals(uri.AbsolutePath.TrimEnd('/'), webhook.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal)
            && string.Equals(uri.Query, webhook.Query, StringComparison.Ordinal);
    }
}
