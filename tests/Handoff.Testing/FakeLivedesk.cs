using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Handoff.Testing;

/// <summary>
/// A local EngageLab LiveDesk API channel after docs/helpdesks.md 4.1–4.5: Basic auth with key and secret, the
/// contacts list, contact create (identifier unique per project), conversation create, messages, toggle_status; and
/// the agent's side, which sends Chatwoot-shaped webhooks signed like Chatwoot's API inbox.
/// </summary>
public sealed class FakeLivedesk : IAsyncDisposable
{
    private readonly WebApplication app;
    private int next = 2219256;

    private FakeLivedesk(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }
    public string ApiKey { get; } = "ld-key";
    public string ApiSecret { get; } = "ld-secret-9999";
    public ConcurrentQueue<(string Method, string Path, JsonNode? Body)> Calls { get; } = new();
    public ConcurrentDictionary<string, string> ContactsByIdentifier { get; } = new();

    public static async Task<FakeLivedesk> StartAsync()
    {
        var app = LoopbackApp.Create();
        FakeLivedesk? fake = null;
        app.Use(async (context, next) =>
        {
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{fake!.ApiKey}:{fake.ApiSecret}"));
            if (context.Request.Headers.Authorization.ToString() != expected)
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsJsonAsync(new { error = "Invalid Access Token" });
                return;
            }

            await next();
        });
        const string root = "/api/v2/accounts";
        app.MapGet(root + "/contacts", () => Results.Json(new { meta = new { count = fake!.ContactsByIdentifier.Count, current_page = 1 }, payload = Array.Empty<object>() }));
        app.MapPost(root + "/contacts", async (HttpRequest r) =>
        {
            var body = await JsonNode.ParseAsync(r.Body);
            fake!.Calls.Enqueue(("POST", "/contacts", body));
            var identifier = body?["identifier"]?.ToString();
            if (body?["inbox_id"] is null) return Results.Json(new { message = "inbox_id is required" }, statusCode: 422);
            if (identifier is not null && fake.ContactsByIdentifier.ContainsKey(identifier)) return Results.Json(new { message = "Identifier has already been taken" }, statusCode: 422);
            var id = Interlocked.Increment(ref fake.next).ToString();
            if (identifier is not null) fake.ContactsByIdentifier[identifier] = id;
            return Results.Json(new { payload = new { contact = new { id = long.Parse(id), email = body?["email"]?.ToString() } } });
        });
        app.MapPost(root + "/conversations", async (HttpRequest r) =>
        {
            var body = await JsonNode.ParseAsync(r.Body);
            fake!.Calls.Enqueue(("POST", "/conversations", body));
            if (body?["inbox_id"] is null || body["contact_id"] is null) return Results.Json(new { message = "inbox_id and contact_id are required" }, statusCode: 422);
            return Results.Json(new { id = Interlocked.Increment(ref fake.next), inbox_id = body["inbox_id"]!.GetValue<int>(), status = "open", meta = new { sender = new { id = body["contact_id"]!.GetValue<long>() } } });
        });
        app.MapPost(root + "/conversations/{id}/messages", async (string id, HttpRequest r) =>
        {
            var body = await JsonNode.ParseAsync(r.Body);
            fake!.Calls.Enqueue(("POST", $"/conversations/{id}/messages", body));
            var incoming = body?["message_type"]?.ToString() == "incoming";
            var messageId = Interlocked.Increment(ref fake.next);
            // As assumed (docs/helpdesks.md 4.3, Chatwoot): in an agent-bot inbox, what the API key posts as outgoing is the agent bot's.
            var sender = incoming
                ? new JsonObject { ["id"] = 1, ["type"] = "contact" }
                : fake.AgentBotInbox ? new JsonObject { ["id"] = AgentBotId, ["name"] = "Handoff Bot", ["type"] = "agent_bot" } : new JsonObject { ["id"] = 1, ["type"] = "user" };
            var message = new JsonObject
            {
                ["id"] = messageId, ["content"] = body?["content"]?.ToString(), ["message_type"] = incoming ? 0 : 1, ["private"] = body?["private"]?.GetValue<bool>() ?? false,
                ["content_attributes"] = body?["content_attributes"]?.DeepClone() ?? new JsonObject(), ["sender"] = sender,
            };
            fake.Store(id, message);
            fake.Echo(new JsonObject
            {
                ["event"] = "message_created", ["id"] = messageId, ["content"] = message["content"]?.ToString(), ["message_type"] = incoming ? "incoming" : "outgoing",
                ["content_type"] = "text", ["private"] = message["private"]!.GetValue<bool>(), ["content_attributes"] = message["content_attributes"]!.DeepClone(),
                ["created_at"] = DateTimeOffset.UtcNow.ToString("O"), ["conversation"] = fake.ConversationRef(id), ["sender"] = sender.DeepClone(),
            });
            return Results.Content(message.ToJsonString(), "application/json");
        });
        app.MapGet(root + "/conversations/{id}/messages", (string id) =>
        {
            lock (fake!.messages)
            {
                var list = fake.messages.TryGetValue(id, out var m) ? new JsonArray(m.Select(x => (JsonNode)x.DeepClone()).ToArray()) : [];
                return Results.Content(new JsonObject { ["meta"] = new JsonObject(), ["payload"] = list }.ToJsonString(), "application/json");
            }
        });
        app.MapPost(root + "/conversations/{id}/assignments", async (string id, HttpRequest r) =>
        {
            var body = await JsonNode.ParseAsync(r.Body);
            fake!.Calls.Enqueue(("POST", $"/conversations/{id}/assignments", body));
            return body?["team_id"] is null && body?["assignee_id"] is null
                ? Results.Json(new { message = "assignee_id or team_id is required" }, statusCode: 422)
                : Results.Json(new { id = body?["team_id"]?.GetValue<int>() ?? body!["assignee_id"]!.GetValue<int>() });
        });
        app.MapPost(root + "/conversations/{id}/toggle_status", async (string id, HttpRequest r) =>
        {
            var body = await JsonNode.ParseAsync(r.Body);
            fake!.Calls.Enqueue(("POST", $"/conversations/{id}/toggle_status", body));
            var status = body?["status"]?.ToString() ?? "open";
            if (status is not ("open" or "resolved" or "pending" or "snoozed"))
            {
                return Results.Json(new { message = "invalid status" }, statusCode: 422);
            }

            fake.Statuses[id] = status;
            // Chatwoot tells the inbox's webhook of every status change, its own API's too.
            fake.Echo(new JsonObject { ["event"] = "conversation_status_changed", ["id"] = long.Parse(id), ["status"] = status, ["inbox_id"] = InboxId });
            return Results.Json(new { meta = new { }, payload = new { success = true, current_status = body?["status"]?.ToString(), conversation_id = long.Parse(id) } });
        });
        var address = await LoopbackApp.StartAsync(app);
        fake = new FakeLivedesk(app, address);
        return fake;
    }

    private readonly Dictionary<string, List<JsonObject>> messages = new();

    public const int InboxId = 407;
    public const int AgentBotId = 77;

    /// <summary>The API channel has an agent bot (help-desk → help-desk mode): outgoing API posts come back from an <c>agent_bot</c> sender.</summary>
    public bool AgentBotInbox { get; set; }

    /// <summary>Where the API channel's webhooks go, for the messenger side (contacts' messages, echoes of our own calls).</summary>
    public (string Url, string? Secret)? Hook { get; set; }

    /// <summary>Webhooks the fake sent on its own (echoes), with our answer.</summary>
    public ConcurrentQueue<(string Event, string Id, int Status)> Sent { get; } = new();

    /// <summary>Each conversation's status as the calls left it (contacts' conversations start <c>pending</c>, with the agent bot).</summary>
    public ConcurrentDictionary<string, string> Statuses { get; } = new();

    private readonly ConcurrentDictionary<string, long> contactOf = new();

    /// <summary>
    /// A contact writes in the API channel. A new conversation sends <c>conversation_created</c> with the message among
    /// its messages and then that message's <c>message_created</c> (same id); later messages only the latter. A message
    /// to a resolved conversation reopens it, as Chatwoot does (back to <c>pending</c> with the agent bot).
    /// </summary>
    public async Task<(string ConversationId, HttpStatusCode Status)> ContactWritesAsync(string text, string? conversationId = null, int? messageId = null)
    {
        var (url, secret) = Hook ?? throw new InvalidOperationException("set Hook first");
        var isNew = conversationId is null;
        conversationId ??= Interlocked.Increment(ref next).ToString();
        var contactId = contactOf.GetOrAdd(conversationId, _ => Interlocked.Increment(ref next));
        var id = messageId ?? Interlocked.Increment(ref next);
        if (isNew || Statuses.GetValueOrDefault(conversationId) == "resolved") Statuses[conversationId] = AgentBotInbox ? "pending" : "open";
        var sender = new JsonObject { ["id"] = contactId, ["name"] = "Jane", ["email"] = "jane@example.com", ["type"] = "contact" };
        Store(conversationId, new JsonObject { ["id"] = id, ["content"] = text, ["message_type"] = 0, ["private"] = false, ["sender"] = sender.DeepClone() });
        using var http = new HttpClient();
        if (isNew)
        {
            var created = new JsonObject
            {
                ["event"] = "conversation_created", ["id"] = long.Parse(conversationId), ["inbox_id"] = InboxId, ["status"] = Statuses[conversationId], ["channel"] = "Channel::Api",
                ["messages"] = new JsonArray(new JsonObject
                {
                    ["id"] = id, ["content"] = text, ["message_type"] = 0, ["private"] = false, ["conversation_id"] = long.Parse(conversationId),
                    ["sender_type"] = "Contact", ["sender_id"] = contactId, ["created_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                }),
                ["meta"] = new JsonObject { ["sender"] = sender.DeepClone(), ["assignee"] = null, ["team"] = null, ["channel"] = "Channel::Api" },
                ["created_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            };
            using var first = await http.SendAsync(Webhook(url, created, secret));
            if (!first.IsSuccessStatusCode) return (conversationId, first.StatusCode);
        }

        var payload = new JsonObject
        {
            ["event"] = "message_created", ["id"] = id, ["content"] = text, ["message_type"] = "incoming", ["content_type"] = "text", ["private"] = false,
            ["created_at"] = DateTimeOffset.UtcNow.ToString("O"), ["conversation"] = ConversationRef(conversationId), ["sender"] = sender,
        };
        using var response = await http.SendAsync(Webhook(url, payload, secret));
        return (conversationId, response.StatusCode);
    }

    /// <summary>What the bot posted into a conversation (outgoing messages of our API key).</summary>
    public IEnumerable<string> BotRepliesIn(string conversationId) => CallsTo($"/conversations/{conversationId}/messages")
        .Where(b => b?["message_type"]?.ToString() == "outgoing" && b["private"]?.GetValue<bool>() != true).Select(b => b!["content"]!.ToString());

    public IEnumerable<string> StatusCallsIn(string conversationId) => CallsTo($"/conversations/{conversationId}/toggle_status").Select(b => b!["status"]!.ToString());

    private JsonObject ConversationRef(string conversationId) => new()
    {
        ["id"] = long.Parse(conversationId), ["status"] = Statuses.GetValueOrDefault(conversationId, "open"), ["inbox_id"] = InboxId,
    };

    // Chatwoot sends an API inbox's webhooks for what its own API did too; once, without a retry.
    private void Echo(JsonObject payload)
    {
        if (Hook is not { } hook) return;
        var raw = payload.ToJsonString();
        _ = Task.Run(async () =>
        {
            using var http = new HttpClient();
            using var response = await http.SendAsync(Webhook(hook.Url, JsonNode.Parse(raw)!.AsObject(), hook.Secret));
            Sent.Enqueue((payload["event"]!.ToString(), payload["id"]!.ToString(), (int)response.StatusCode));
        });
    }

    /// <summary>An agent answers in LiveDesk, and the webhook for it is lost (LiveDesk sends it once).</summary>
    public int AgentAnswersWithoutWebhook(string conversationId, string text)
    {
        var id = Interlocked.Increment(ref next);
        Store(conversationId, new JsonObject
        {
            ["id"] = id, ["content"] = text, ["message_type"] = 1, ["private"] = false,
            ["sender"] = new JsonObject { ["id"] = 12, ["name"] = "Sam", ["type"] = "user" },
        });
        return id;
    }

    private void Store(string conversationId, JsonObject message)
    {
        lock (messages)
        {
            if (!messages.TryGetValue(conversationId, out var list)) messages[conversationId] = list = [];
            list.Add(message);
        }
    }

    public IEnumerable<JsonNode?> CallsTo(string path) => Calls.Where(c => c.Path == path).Select(c => c.Body);

    /// <summary>A webhook as a Chatwoot API inbox sends it; signed when a secret is given.</summary>
    public static HttpRequestMessage Webhook(string url, JsonObject payload, string? secret, DateTimeOffset? at = null)
    {
        var raw = Encoding.UTF8.GetBytes(payload.ToJsonString());
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(raw) };
        request.Content.Headers.ContentType = new("application/json");
        var ts = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString();
        request.Headers.Add("X-Chatwoot-Timestamp", ts);
        request.Headers.Add("X-Chatwoot-Delivery", Guid.NewGuid().ToString());
        if (secret is not null)
        {
            var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(ts + ".").Concat(raw).ToArray());
            request.Headers.Add("X-Chatwoot-Signature", "sha256=" + Convert.ToHexStringLower(mac));
        }

        return request;
    }

    public static JsonObject AgentMessage(string conversationId, int id, string content, string messageType = "outgoing", bool isPrivate = false, string senderType = "user") => new()
    {
        ["event"] = "message_created", ["id"] = id, ["content"] = content, ["message_type"] = messageType, ["content_type"] = "text",
        ["private"] = isPrivate, ["created_at"] = "2024-07-06T10:00:00Z",
        ["conversation"] = new JsonObject { ["id"] = long.Parse(conversationId), ["status"] = "open", ["inbox_id"] = 407 },
        ["sender"] = new JsonObject { ["id"] = 12, ["name"] = "Sam", ["type"] = senderType },
    };

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
