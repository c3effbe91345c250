using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Handoff.Testing;

/// <summary>
/// A local LiveChat built from its public docs (shared/helpdesks.md 2.1–2.7): the accounts customer-token endpoint
/// with the cookie grant (same cookies, same customer), and the Customer Chat API methods we use, each checking the
/// token, its expiry, the organization and the API version; plus the agent's side, which sends chat webhooks.
/// </summary>
public sealed class FakeLiveChat : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, (string Entity, DateTimeOffset Expires)> tokens = new();
    private int next;

    private FakeLiveChat(WebApplication app, string baseUrl, string clientId, string organizationId)
    {
        this.app = app;
        BaseUrl = baseUrl;
        ClientId = clientId;
        OrganizationId = organizationId;
    }

    public string BaseUrl { get; }
    public string ClientId { get; }
    public string OrganizationId { get; }

    /// <summary>Lifetime of the tokens it issues (short to test refreshing).</summary>
    public int TokenLifetimeSeconds { get; set; } = 28800;

    public ConcurrentQueue<(string Method, JsonNode? Body, string Entity)> Calls { get; } = new();
    public ConcurrentQueue<string> TokenGrants { get; } = new();
    public int Refused401 => refused;

    /// <summary>The id of the chat it started last.</summary>
    public string? LastChatId { get; private set; }
    private int refused;

    public static async Task<FakeLiveChat> StartAsync(string clientId = "9cbf3a968289727cb3cdfe83ab1d9836", string organizationId = "390e44e6-f1e6-4ac6-8a55-0d6a7f0a1b2c")
    {
        var app = LoopbackApp.Create();
        FakeLiveChat? fake = null;
        // Two parameters keep this a route handler whose IResult is executed (a lone HttpContext makes it a RequestDelegate).
        app.MapPost("/v2/customer/token", (HttpContext context, CancellationToken _) => fake!.TokenAsync(context));
        app.MapPost("/v{version}/customer/action/{method}", async (string version, string method, HttpContext context) => await fake!.ActionAsync(version, method, context));
        var address = await LoopbackApp.StartAsync(app);
        fake = new FakeLiveChat(app, address, clientId, organizationId);
        return fake;
    }

    /// <summary>Every issued token stops working at once, as when they expire or are revoked.</summary>
    public void ExpireAllTokens()
    {
        foreach (var token in tokens.Keys) tokens[token] = (tokens[token].Entity, DateTimeOffset.UtcNow.AddSeconds(-1));
    }

    public IEnumerable<JsonNode?> CallsTo(string method) => Calls.Where(c => c.Method == method).Select(c => c.Body);

    /// <summary>A chat webhook as LiveChat sends it, with the building block's secret key inside the body.</summary>
    public HttpRequestMessage Webhook(string url, string action, JsonObject payload, string? secretKey)
    {
        var body = new JsonObject
        {
            ["webhook_id"] = "wh_" + Guid.NewGuid().ToString("N")[..6], ["secret_key"] = secretKey, ["action"] = action,
            ["organization_id"] = OrganizationId, ["payload"] = payload, ["additional_data"] = new JsonObject(),
        };
        return new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
    }

    public static JsonObject AgentMessage(string chatId, string eventId, string text, string author = "sam@example.com", string visibility = "all", string type = "message") => new()
    {
        ["chat_id"] = chatId, ["thread_id"] = "PZ070E0W1B",
        ["event"] = new JsonObject { ["id"] = eventId, ["type"] = type, ["text"] = text, ["author_id"] = author, ["created_at"] = "2024-07-06T10:00:00.000000Z", ["visibility"] = visibility, ["name"] = "label.png", ["url"] = "https://cdn.example/label.png" },
    };

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        if (body?["client_id"]?.ToString() != ClientId || body["organization_id"]?.ToString() != OrganizationId || body["grant_type"]?.ToString() != "cookie")
        {
            return Results.Json(new { error = "invalid_client", error_description = "unknown client or organization" }, statusCode: 400);
        }

        // The customer lives in the __lc_cid cookie: replaying it keeps the same entity.
        var entity = context.Request.Cookies["__lc_cid"] ?? Guid.NewGuid().ToString();
        var token = $"dal-a:{Interlocked.Increment(ref next)}{Guid.NewGuid():N}";
        tokens[token] = (entity, DateTimeOffset.UtcNow.AddSeconds(TokenLifetimeSeconds));
        TokenGrants.Enqueue(entity);
        context.Response.Cookies.Append("__lc_cid", entity, new CookieOptions { HttpOnly = true });
        context.Response.Cookies.Append("__lc_cst", Guid.NewGuid().ToString("N"), new CookieOptions { HttpOnly = true });
        return Results.Json(new { access_token = token, client_id = ClientId, entity_id = entity, expires_in = TokenLifetimeSeconds, organization_id = OrganizationId, token_type = "Bearer" });
    }

    /// <summary>While set, the Customer Chat API answers 503: LiveChat is down.</summary>
    public bool Down { get; set; }

    private async Task<IResult> ActionAsync(string version, string method, HttpContext context)
    {
        if (Down)
        {
            Calls.Enqueue((method + " (503)", null, ""));
            return Results.StatusCode(503);
        }

        if (version != "3.6")
        {
            return Results.Json(new { error = new { type = "validation", message = $"unsupported version {version}" } }, statusCode: 400);
        }

        var auth = context.Request.Headers.Authorization.ToString();
        var token = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : "";
        if (!tokens.TryGetValue(token, out var holder) || holder.Expires < DateTimeOffset.UtcNow)
        {
            Interlocked.Increment(ref refused);
            return Results.Json(new { error = new { type = "authentication", message = "Invalid access token" } }, statusCode: 401);
        }

        if (context.Request.Query["organization_id"] != OrganizationId)
        {
            return Results.Json(new { error = new { type = "validation", message = "organization_id is required" } }, statusCode: 400);
        }

        var body = await JsonNode.ParseAsync(context.Request.Body);
        Calls.Enqueue((method, body, holder.Entity));
        return method switch
        {
            "update_customer" or "deactivate_chat" => Results.Json(new { }),
            "start_chat" => Results.Json(new { chat_id = LastChatId = "PJ" + Interlocked.Increment(ref next), thread_id = "PZ070E0W1B", event_ids = new[] { "PZ070E0W1B_1" } }),
            "send_event" => body?["chat_id"] is null
                ? Results.Json(new { error = new { type = "validation", message = "chat_id is required" } }, statusCode: 422)
                : Results.Json(new { event_id = "PZ070E0W1B_" + Interlocked.Increment(ref next) }),
            _ => Results.Json(new { error = new { type = "not_found", message = "no such method" } }, statusCode: 404),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
