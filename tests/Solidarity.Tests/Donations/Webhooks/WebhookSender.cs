using System.Text;
using Solidarity.Testing;

namespace Solidarity.Tests.Donations.Webhooks;

/// <summary>Posts events to /webhooks/stripe as Stripe does: the raw body and a Stripe-Signature header.</summary>
internal static class WebhookSender
{
    public const string Path = "/webhooks/stripe";

    public static Task<HttpResponseMessage> SendAsync(
        HttpClient client, string payload, string secret = SolidarityApp.WebhookSecret, DateTimeOffset? signedAt = null) =>
        SendRawAsync(client, payload, StripeSigner.Header(payload, secret, signedAt ?? DateTimeOffset.UtcNow));

    public static async Task<HttpResponseMessage> SendRawAsync(HttpClient client, string payload, string? signatureHeader)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path)
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        if (signatureHeader is not null)
        {
            request.Headers.TryAddWithoutValidation("Stripe-Signature", signatureHeader);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Sends and insists on 200, for arranging a test's history.</summary>
    public static async Task<string> DeliverAsync(HttpClient client, string payload)
    {
        using var response = await SendAsync(client, payload);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Webhook answered {(int)response.StatusCode}: {body}");
        return body;
    }
}
