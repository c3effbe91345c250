using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Handoff.Testing;

/// <summary>
/// A local EngageLab LiveDesk API channel after shared/helpdesks.md 4.1–4.5: Basic auth with key and secret, the
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
            fake.Store(id, new JsonObject
            {
                ["id"] = messageId, ["content"] = body?["content"]?.ToString(), ["message_type"] = incoming ? 0 : 1, ["private"] = false,
                ["sender"] = new JsonObject { ["id"] = 1, ["type"] = incoming ? "contact" : "user" },
            });
            return Results.Json(new { id = messageId, content = body?["content"]?.ToString(), message_type = incoming ? 0 : 1, @private = false });
        });
        app.MapGet(root + "/conversations/{id}/messages", (string id) =>
        {
            lock (fake!.messages)
            {
                var list = fake.messages.TryGetValue(id, out var m) ? new JsonArray(m.Select(x => (JsonNode)x.DeepClone()).ToArray()) : [];
                return Results.Content(new JsonObject { ["meta"] = new JsonObject(), ["payload"] = list }.ToJsonString(), "application/json");
            }
        });
        app.MapPost(root + "/conversations/{id}/toggle_status", async (string id, HttpRequest r) =>
        {
            var body = await JsonNode.ParseAsync(r.Body);
            fake!.Calls.Enqueue(("POST", $"/conversations/{id}/toggle_status", body));
            return Results.Json(new { meta = new { }, payload = new { success = true, current_status = body?["status"]?.ToString(), conversation_id = long.Parse(id) } });
        });
        var address = await LoopbackApp.StartAsync(app);
        fake = new FakeLivedesk(app, address);
        return fake;
    }

    private readonly Dictionary<string, List<JsonObject>> messages = new();

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
