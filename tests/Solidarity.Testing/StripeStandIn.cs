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
    private readonly ConcurrentDictionary<string, StandInSubscription> _subscriptions = new();
    private Func<StandInSubscription, JsonObject>? _renderSubscription;
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
        _subscriptions.Clear();
        _renderSubscription = null;
    }

    /// <summary>The subscriptions of the stand-in's account, by id, as the site's calls left them.</summary>
    public IReadOnlyDictionary<string, StandInSubscription> Subscriptions => _subscriptions;

    /// <summary>A subscription that Checkout started, so that the site can pause, resume, re-label and cancel it.</summary>
    public StandInSubscription AddSubscription(string id, string customerId, IReadOnlyDictionary<string, string> metadata)
    {
        var subscription = new StandInSubscription(id, customerId) { Status = "active" };
        foreach (var (key, value) in metadata)
        {
            subscription.Metadata[key] = value;
        }

        _subscriptions[id] = subscription;
        return subscription;
    }

    /// <summary>
    /// Serves /v1/subscriptions/{id} as Stripe does: GET reads it, POST updates <c>pause_collection</c> (an empty value
    /// resumes collection) and <c>metadata</c>, DELETE cancels it; an unknown id is Stripe's <c>resource_missing</c>.
    /// Each answer is the subscription as <paramref name="render"/> writes it.
    /// </summary>
    public void ServeSubscriptions(Func<StandInSubscription, JsonObject> render) => _renderSubscription = render;

    private StripeAnswer? AnswerSubscription(StripeRequest request)
    {
        const string prefix = "/v1/subscriptions/";
        if (_renderSubscription is not { } render || !request.Path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        if (!_subscriptions.TryGetValue(request.Path[prefix.Length..], out var subscription))
        {
            return new StripeAnswer(404, """{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such subscription"}}""");
        }

        lock (subscription)
        {
            switch (request.Method)
            {
                case "DELETE":
                    subscription.Status = "canceled";
                    break;
                case "POST":
                    if (request.Form.TryGetValue("pause_collection[behavior]", out var behavior))
                    {
                        subscription.PauseBehavior = behavior;
                    }
                    else if (request.Form.TryGetValue("pause_collection", out var cleared) && cleared.Length == 0)
                    {
                        subscription.PauseBehavior = null;
                    }

                    foreach (var (key, value) in request.Form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal)))
                    {
                        subscription.Metadata[key["metadata[".Length..^1]] = value;
                    }

                    break;
            }

            return new StripeAnswer(200, render(subscription).ToJsonString());
        }
    }

    /// <summary>
    /// Serves the invoices of the subscriptions added here: GET /v1/invoices lists a subscription's, of one status when
    /// asked, in one page; POST /v1/invoices/{id}/finalize makes a draft open, and POST /v1/invoices/{id}/void voids an open
    /// one; each refuses any other as Stripe does.
    /// </summary>
    private StripeAnswer? AnswerInvoices(StripeRequest request)
    {
        if (request.Method == "GET" && request.Path == "/v1/invoices")
        {
            var query = QueryHelpers.ParseQuery(request.Query);
            var listed = _subscriptions.Values
                .Where(s => !query.TryGetValue("subscription", out var id) || s.Id == id)
                .SelectMany(s => s.Invoices.Select(i => (Subscription: s.Id, Id: i.Key, Status: i.Value)))
                .Where(i => !query.TryGetValue("status", out var status) || i.Status == status)
                .Select(i => InvoiceJson(i.Id, i.Subscription, i.Status))
                .ToArray();
            return new StripeAnswer(200, new JsonObject
            {
                ["object"] = "list", ["data"] = new JsonArray(listed), ["has_more"] = false, ["url"] = "/v1/invoices",
            }.ToJsonString());
        }

        const string prefix = "/v1/invoices/";
        var action = request.Path.EndsWith("/void", StringComparison.Ordinal) ? "void"
            : request.Path.EndsWith("/finalize", StringComparison.Ordinal) ? "finalize"
            : null;
        if (request.Method != "POST" || !request.Path.StartsWith(prefix, StringComparison.Ordinal) || action is null)
        {
            return null;
        }

        var invoiceId = request.Path[prefix.Length..^(action.Length + 1)];
        var owner = _subscriptions.Values.FirstOrDefault(s => s.Invoices.ContainsKey(invoiceId));
        if (owner is null)
        {
            return new StripeAnswer(404, """{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such invoice"}}""");
        }

        lock (owner)
        {
            var (from, to) = action == "void" ? ("open", "void") : ("draft", "open");
            if (owner.Invoices[invoiceId] != from)
            {
                return action == "void"
                    ? new StripeAnswer(400, """{"error":{"type":"invalid_request_error","code":"invoice_not_open","message":"You can only void open invoices."}}""")
                    : new StripeAnswer(400, """{"error":{"type":"invalid_request_error","code":"invoice_not_editable","message":"This invoice is already finalized."}}""");
            }

            owner.Invoices[invoiceId] = to;
            return new StripeAnswer(200, InvoiceJson(invoiceId, owner.Id, to).ToJsonString());
        }
    }

    private static JsonObject InvoiceJson(string id, string subscriptionId, string status) => new()
    {
        ["id"] = id, ["object"] = "invoice", ["status"] = status,
        ["parent"] = new JsonObject { ["type"] = "subscription_details", ["subscription_details"] = new JsonObject { ["subscription"] = subscriptionId } },
    };

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
            : AnswerSubscription(request) ?? AnswerInvoices(request) ?? new StripeAnswer(404, """{"error":{"type":"invalid_request_error","message":"No such route in the stand-in"}}""");
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

/// <summary>A subscription of the stand-in's account: its status, whether collection is paused, and its metadata.</summary>
public sealed class StandInSubscription(string id, string customerId)
{
    public string Id { get; } = id;
    public string CustomerId { get; } = customerId;
    public string Status { get; set; } = "active";

    /// <summary>pause_collection[behavior] ("void", say), or null while Stripe collects.</summary>
    public string? PauseBehavior { get; set; }

    /// <summary>The subscription's invoices by id, with their status ("draft", "open", "paid", "void"), as GET /v1/invoices lists them.</summary>
    public Dictionary<string, string> Invoices { get; } = [];
    public Dictionary<string, string> Metadata { get; } = [];
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
