using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Solidarity.Testing;

/// <summary>
/// A stand-in for Stripe's API on a loopback port, for Stripe.net to talk to through Stripe:ApiBase.
/// Tests register an answer per method and path, and read back every request it received
/// (form body, idempotency key) to check what the site sent.
/// </summary>
public sealed class StripeStandIn : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Method, string Path), Func<StripeRequest, StripeAnswer>> _routes = new();
    private readonly ConcurrentQueue<StripeRequest> _requests = new();
    private WebApplication? _app;

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyCollection<StripeRequest> Requests => _requests;

    public static async Task<StripeStandIn> StartAsync()
    {
        var standIn = new StripeStandIn();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        standIn._app = app;
        standIn.BaseUrl = app.Urls.First();
        return standIn;
    }

    /// <summary>Answers <paramref name="method"/> <paramref name="path"/> (e.g. "POST", "/v1/checkout/sessions").</summary>
    public void On(string method, string path, Func<StripeRequest, StripeAnswer> answer) => _routes[(method, path)] = answer;

    /// <summary>
    /// Serves GET /v1/webhook_endpoints from <paramref name="endpoints"/> a page at a time, as Stripe does: at most
    /// `limit` (and at most <paramref name="pageSize"/>, as Stripe caps it at 100) after the `starting_after` id,
    /// with `has_more` saying whether another page follows.
    /// </summary>
    public void ServeWebhookEndpoints(IReadOnlyList<StandInWebhookEndpoint> endpoints, int pageSize = 100) =>
        On("GET", "/v1/webhook_endpoints", request =>
        {
            var query = QueryHelpers.ParseQuery(request.Query);
            var limit = query.TryGetValue("limit", out var asked) && int.TryParse(asked, out var n) ? Math.Clamp(n, 1, 100) : 10;
            var start = 0;
            if (query.TryGetValue("starting_after", out var after))
            {
                start = endpoints.ToList().FindIndex(e => e.Id == after.ToString()) + 1;
                if (start == 0)
                {
                    var error = new JsonObject { ["type"] = "invalid_request_error", ["message"] = $"No such webhook endpoint: '{after}'" };
                    return new StripeAnswer(400, new JsonObject { ["error"] = error }.ToJsonString());
                }
            }

            var page = endpoints.Skip(start).Take(Math.Min(limit, pageSize)).ToList();
            var list = new JsonObject
            {
                ["object"] = "list",
                ["url"] = "/v1/webhook_endpoints",
                ["has_more"] = start + page.Count < endpoints.Count,
                ["data"] = new JsonArray([.. page.Select(e => e.ToJson())]),
            };
            return new StripeAnswer(200, list.ToJsonString());
        });

    public void Reset()
    {
        _routes.Clear();
        _requests.Clear();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var request = new StripeRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "",
            body,
            QueryHelpers.ParseQuery(body).ToDictionary(kv => kv.Key, kv => kv.Value.ToString()),
            context.Request.Headers["Idempotency-Key"].ToString(),
            context.Request.Headers.Authorization.ToString());
        _requests.Enqueue(request);

        var answer = _routes.TryGetValue((request.Method, request.Path), out var route)
            ? route(request)
            : new StripeAnswer(404, """{"error":{"type":"invalid_request_error","message":"No such route in the stand-in"}}""");
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/json";
        context.Response.Headers["Request-Id"] = "req_standin_" + Guid.NewGuid().ToString("N")[..12];
        await context.Response.WriteAsync(answer.Json);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>What Stripe.net sent: form fields decoded (e.g. "line_items[0][price_data][unit_amount]").</summary>
public sealed record StripeRequest(
    string Method, string Path, string Query, string Body, IReadOnlyDictionary<string, string> Form, string IdempotencyKey, string Authorization);

public sealed record StripeAnswer(int Status, string Json);

/// <summary>A webhook endpoint of the stand-in's account; <paramref name="ApiVersion"/> null is the version Stripe.net pins.</summary>
public sealed record StandInWebhookEndpoint(
    string Id, string Url, IReadOnlyList<string> EnabledEvents, string Status = "enabled", string? ApiVersion = null)
{
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["object"] = "webhook_endpoint",
        ["api_version"] = ApiVersion ?? Stripe.StripeConfiguration.ApiVersion,
        ["created"] = 1_780_000_000,
        ["description"] = null,
        ["enabled_events"] = new JsonArray([.. EnabledEvents.Select(e => (JsonNode?)JsonValue.Create(e))]),
        ["livemode"] = false,
        ["metadata"] = new JsonObject(),
        ["status"] = Status,
        ["url"] = Url,
    };
}
