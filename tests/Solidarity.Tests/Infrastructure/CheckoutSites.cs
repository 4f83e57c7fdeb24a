using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Testing;
using Solidarity.Web.Pages.Donations.Checkout;

namespace Solidarity.Tests.Infrastructure;

/// <summary>The site with a Stripe secret key, its Stripe.net pointed at a loopback stand-in for Stripe's API.</summary>
public sealed class StandInSite(string stripeApiBase) : SolidarityApp
{
    public const string SecretKey = "sk_test_solidarity_stand_in";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Stripe:SecretKey", SecretKey),
        new("Stripe:ApiBase", stripeApiBase),
    ];
}

/// <summary>The site without Stripe keys (the test checkout), its outgoing webhooks caught instead of sent.</summary>
public sealed class TestCheckoutSite : SolidarityApp
{
    public CapturedWebhooks Webhooks { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services
            .AddHttpClient(TestCheckoutWebhooks.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => Webhooks));
    }
}

/// <summary>Records each request the test checkout sends and answers it with <see cref="AnswerWith"/>.</summary>
public sealed class CapturedWebhooks : HttpMessageHandler
{
    private readonly ConcurrentQueue<CapturedWebhook> _received = new();

    public HttpStatusCode AnswerWith { get; set; } = HttpStatusCode.OK;

    public IReadOnlyCollection<CapturedWebhook> Received => _received;

    public void Reset()
    {
        _received.Clear();
        AnswerWith = HttpStatusCode.OK;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var signature = request.Headers.TryGetValues("Stripe-Signature", out var values) ? values.Single() : null;
        _received.Enqueue(new CapturedWebhook(request.Method, request.RequestUri!, body, signature, request.Content?.Headers.ContentType?.MediaType));
        return new HttpResponseMessage(AnswerWith) { Content = new StringContent("""{"received":true}""") };
    }
}

public sealed record CapturedWebhook(HttpMethod Method, Uri Uri, string Body, string? Signature, string? ContentType);
