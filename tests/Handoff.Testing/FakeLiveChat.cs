using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Handoff.Testing;

/// <summary>
/// A local LiveChat built from its public docs (docs/helpdesks.md 2.1–2.7): the accounts customer-token endpoint
/// with the cookie grant (same cookies, same customer), and the Customer Chat API methods we use, each checking the
/// token, its expiry, the organization and the API version; plus the agent's side, which sends chat webhooks.
/// For help-desk → help-desk mode (2.4) also the messenger side: the Configuration API's bots and webhooks and the
/// Agent Chat API as our bot (agent token and <c>X-Author-Id</c> checked); a customer writes and LiveChat sends the
/// bot webhooks (<c>incoming_chat</c>, <c>incoming_event</c>) with their secret key, echoing what the bot does.
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
        foreach (var api in new[] { "agent", "configuration" })
        {
            app.MapPost($"/v{{version}}/{api}/action/{{method}}", async (string version, string method, HttpContext context) => await fake!.AgentActionAsync(version, api, method, context));
        }
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

    // ---- Messenger side (help-desk → help-desk mode) ----

    /// <summary>The agent access token the Agent Chat and Configuration APIs accept.</summary>
    public string AgentToken { get; } = "dal:agent-token-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Bots of the license (id → name, owner client id); created by <c>create_bot</c>.</summary>
    public ConcurrentDictionary<string, (string Name, string? Owner)> Bots { get; } = new();

    /// <summary>Registered webhooks (id → what register_webhook was given).</summary>
    public ConcurrentDictionary<string, (string Url, string Action, string Secret, string Type, string Owner)> RegisteredWebhooks { get; } = new();

    /// <summary>Agent Chat and Configuration API calls: api, method, body and the X-Author-Id they acted as.</summary>
    public ConcurrentQueue<(string Api, string Method, JsonNode? Body, string? AuthorId)> AgentCalls { get; } = new();

    /// <summary>The license's chat webhooks from the Developer Console building block (as in channel → help-desk mode).</summary>
    public (string Url, string SecretKey)? LicenseWebhook { get; set; }

    /// <summary>Webhooks the fake sent (action, our answer to the last try).</summary>
    public ConcurrentQueue<(string Action, int Status)> Sent { get; } = new();

    private readonly ConcurrentDictionary<string, ChatState> chats = new();

    private sealed class ChatState
    {
        public required string CustomerId { get; init; }
        public bool Active { get; set; } = true;
        public bool BotIn { get; set; } = true;
        public int Thread { get; set; } = 1;
    }

    public IEnumerable<(string Method, JsonNode? Body, string? AuthorId)> AgentCallsTo(string method) =>
        AgentCalls.Where(c => c.Method == method).Select(c => (c.Method, c.Body, c.AuthorId));

    /// <summary>What the bot posted into a chat with the Agent Chat API, acting as itself.</summary>
    public IEnumerable<string> BotRepliesIn(string chatId) => AgentCalls
        .Where(c => c.Method == "send_event" && c.AuthorId is { } a && Bots.ContainsKey(a) && c.Body?["chat_id"]?.ToString() == chatId)
        .Select(c => c.Body!["event"]!["text"]!.ToString());

    /// <summary>
    /// A customer writes in the LiveChat widget: a new chat (or a new thread of an inactive one) reaches the bot as
    /// <c>incoming_chat</c>, a message in an active chat as <c>incoming_event</c>. Answers our status of the last try.
    /// </summary>
    public async Task<(string ChatId, HttpStatusCode Status)> CustomerWritesAsync(string text, string? chatId = null, string? eventId = null)
    {
        var isNew = chatId is null;
        chatId ??= "PJ" + Interlocked.Increment(ref next);
        var chat = chats.GetOrAdd(chatId, _ => new ChatState { CustomerId = Guid.NewGuid().ToString() });
        var customerEvent = new JsonObject
        {
            ["id"] = eventId ?? $"T{chat.Thread}_{Interlocked.Increment(ref next)}", ["type"] = "message", ["text"] = text,
            ["author_id"] = chat.CustomerId, ["created_at"] = DateTimeOffset.UtcNow.ToString("O"), ["visibility"] = "all",
        };
        if (isNew || !chat.Active)
        {
            if (!isNew) chat.Thread++;
            // A new thread is routed to the bot again (the operator puts the bot first in the chats' starting group).
            chat.Active = true;
            chat.BotIn = true;
            var payload = new JsonObject
            {
                ["chat"] = new JsonObject
                {
                    ["id"] = chatId,
                    ["users"] = new JsonArray(
                        new JsonObject { ["id"] = chat.CustomerId, ["type"] = "customer", ["name"] = "Jane", ["email"] = "jane@example.com" },
                        new JsonObject { ["id"] = Bots.Keys.FirstOrDefault(), ["type"] = "agent", ["name"] = "Handoff bot" }),
                    ["thread"] = new JsonObject
                    {
                        ["id"] = $"T{chat.Thread}", ["active"] = true,
                        ["events"] = new JsonArray(
                            new JsonObject { ["id"] = $"T{chat.Thread}_0", ["type"] = "system_message", ["text"] = "Chat started", ["visibility"] = "all" },
                            customerEvent),
                    },
                },
            };
            return (chatId, await SendWebhookAsync("incoming_chat", payload, chat));
        }

        return (chatId, await SendWebhookAsync("incoming_event", new JsonObject { ["chat_id"] = chatId, ["thread_id"] = $"T{chat.Thread}", ["event"] = customerEvent }, chat));
    }

    /// <summary>A human agent writes in the chat (after the transfer, through the license webhooks).</summary>
    public Task<HttpStatusCode> HumanWritesAsync(string chatId, string eventId, string text, string agent = "sam@example.com") =>
        SendWebhookAsync("incoming_event", AgentMessage(chatId, eventId, text, agent), chats[chatId]);

    /// <summary>A human agent ends the chat: <c>chat_deactivated</c> naming them.</summary>
    public Task<HttpStatusCode> HumanEndsAsync(string chatId, string agent = "sam@example.com")
    {
        var chat = chats[chatId];
        chat.Active = false;
        return SendWebhookAsync("chat_deactivated", new JsonObject { ["chat_id"] = chatId, ["thread_id"] = $"T{chat.Thread}", ["user_id"] = agent }, chat);
    }

    /// <summary>
    /// Sends one webhook to every target that gets it: the bot webhooks of that action while the bot is in the chat,
    /// and the license webhook; each as LiveChat does, once more after a non-200.
    /// </summary>
    private async Task<HttpStatusCode> SendWebhookAsync(string action, JsonObject payload, ChatState chat)
    {
        var targets = RegisteredWebhooks.Values.Where(w => w.Action == action && w.Type == "bot" && chat.BotIn).Select(w => (w.Url, w.Secret)).ToList();
        // The building block's triggers are the channel → help-desk ones.
        if (LicenseWebhook is { } license && action is "incoming_event" or "chat_deactivated") targets.Add((license.Url, license.SecretKey));
        var status = HttpStatusCode.OK;
        using var http = new HttpClient();
        foreach (var (url, secret) in targets)
        {
            var body = payload.DeepClone().AsObject();
            var (first, retry) = await WebhookDelivery.DeliverAsync(http, () => Webhook(url, action, body, secret));
            var last = retry ?? first;
            Sent.Enqueue((action, (int)last.StatusCode));
            if (!last.IsSuccessStatusCode) status = last.StatusCode;
            first.Dispose();
            retry?.Dispose();
        }

        return status;
    }

    private async Task<IResult> AgentActionAsync(string version, string api, string method, HttpContext context)
    {
        if (version != "3.6")
        {
            return Results.Json(new { error = new { type = "validation", message = $"unsupported version {version}" } }, statusCode: 400);
        }

        if (context.Request.Headers.Authorization.ToString() != "Bearer " + AgentToken)
        {
            return Results.Json(new { error = new { type = "authentication", message = "Invalid access token" } }, statusCode: 401);
        }

        var authorId = context.Request.Headers["X-Author-Id"].FirstOrDefault();
        if (authorId is not null && !Bots.ContainsKey(authorId))
        {
            return Results.Json(new { error = new { type = "authorization", message = "cannot act as this author" } }, statusCode: 403);
        }

        var body = await JsonNode.ParseAsync(context.Request.Body);
        AgentCalls.Enqueue((api, method, body, authorId));
        var chatId = body?["chat_id"]?.ToString() ?? body?["id"]?.ToString();
        var chat = chatId is null ? null : chats.GetValueOrDefault(chatId);
        switch (api, method)
        {
            case ("configuration", "list_bots"):
                return Results.Json(Bots.Select(b => new { id = b.Key, name = b.Value.Name, owner_client_id = b.Value.Owner }));
            case ("configuration", "create_bot"):
                var botId = Guid.NewGuid().ToString("N");
                Bots[botId] = (body?["name"]?.ToString() ?? "", body?["owner_client_id"]?.ToString());
                return Results.Json(new { id = botId });
            case ("configuration", "list_webhooks"):
                var owner = body?["owner_client_id"]?.ToString();
                return Results.Json(RegisteredWebhooks.Where(w => w.Value.Owner == owner).Select(w => new
                {
                    id = w.Key, url = w.Value.Url, action = w.Value.Action, secret_key = w.Value.Secret, type = w.Value.Type, owner_client_id = w.Value.Owner,
                }));
            case ("configuration", "register_webhook"):
                if (body?["url"] is null || body["action"] is null || body["secret_key"] is null || body["type"]?.ToString() is not ("bot" or "license")
                    || body["owner_client_id"]?.ToString() != ClientId)
                {
                    return Results.Json(new { error = new { type = "validation", message = "url, action, secret_key, type and owner_client_id are required" } }, statusCode: 400);
                }

                var id = "wh" + Interlocked.Increment(ref next);
                RegisteredWebhooks[id] = (body["url"]!.ToString(), body["action"]!.ToString(), body["secret_key"]!.ToString(), body["type"]!.ToString(), ClientId);
                return Results.Json(new { id });
            case ("configuration", "unregister_webhook"):
                RegisteredWebhooks.TryRemove(body?["id"]?.ToString() ?? "", out _);
                return Results.Json(new { });
            case ("agent", "set_routing_status"):
                return Results.Json(new { });
            case ("agent", _) when chat is null:
                return Results.Json(new { error = new { type = "not_found", message = "Chat not found" } }, statusCode: 404);
            case ("agent", "send_event"):
                var eventId = $"T{chat!.Thread}_{Interlocked.Increment(ref next)}";
                // LiveChat tells the bot of every event in its chats, its own included.
                var echo = body!["event"]!.DeepClone().AsObject();
                echo["id"] = eventId;
                echo["author_id"] = authorId;
                _ = Task.Run(() => SendWebhookAsync("incoming_event", new JsonObject { ["chat_id"] = chatId, ["thread_id"] = $"T{chat.Thread}", ["event"] = echo }, chat));
                return Results.Json(new { event_id = eventId });
            case ("agent", "transfer_chat"):
                // The bot that transferred the chat leaves it: its bot webhooks stop for this chat.
                chat!.BotIn = false;
                return Results.Json(new { });
            case ("agent", "deactivate_chat"):
                chat!.Active = false;
                _ = Task.Run(() => SendWebhookAsync("chat_deactivated", new JsonObject { ["chat_id"] = chatId, ["thread_id"] = $"T{chat.Thread}", ["user_id"] = authorId }, chat));
                return Results.Json(new { });
            default:
                return Results.Json(new { error = new { type = "not_found", message = "no such method" } }, statusCode: 404);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
