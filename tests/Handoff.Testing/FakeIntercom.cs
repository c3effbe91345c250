using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Handoff.Testing;

/// <summary>
/// A local Intercom built from its public REST reference (docs/helpdesks.md 1.1–1.9): Bearer token and
/// Intercom-Version checked on every call; /me, contacts search and create, conversations create, get, reply and
/// parts; and the human's side, which sends signed notifications the way Intercom shapes them.
/// </summary>
public sealed class FakeIntercom : IAsyncDisposable
{
    public const string AdminId = "991267";
    public const string AppId = "abc123xy";
    private readonly WebApplication app;
    private int nextId = 100;

    private FakeIntercom(WebApplication app, string baseUrl, string token)
    {
        this.app = app;
        BaseUrl = baseUrl;
        Token = token;
    }

    public string BaseUrl { get; }
    public string Token { get; }

    /// <summary>How many next calls answer 429 with Intercom's rate-limit headers.</summary>
    public int RateLimitNext;

    /// <summary>While set, every call answers 503: Intercom is down.</summary>
    public bool Down { get; set; }
    public ConcurrentQueue<(string Method, string Path, JsonNode? Body, string? Version)> Calls { get; } = new();
    public ConcurrentDictionary<string, string> ContactsByEmail { get; } = new();
    public ConcurrentDictionary<string, string> ContactOfConversation { get; } = new();

    public static async Task<FakeIntercom> StartAsync(string token = "intercom-token-1")
    {
        var app = LoopbackApp.Create();
        FakeIntercom? fake = null;
        app.Use(async (context, next) =>
        {
            if (fake!.RateLimitNext > 0 && Interlocked.Decrement(ref fake.RateLimitNext) >= 0)
            {
                // Intercom's documented 429: X-RateLimit-* headers, reset in unix seconds.
                context.Response.StatusCode = 429;
                context.Response.Headers["X-RateLimit-Limit"] = "1666";
                context.Response.Headers["X-RateLimit-Remaining"] = "0";
                context.Response.Headers["X-RateLimit-Reset"] = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString();
                context.Response.Headers.RetryAfter = "1";
                fake.Calls.Enqueue((context.Request.Method, context.Request.Path.Value! + " (429)", null, null));
                await context.Response.WriteAsJsonAsync(new { type = "error.list", errors = new[] { new { code = "rate_limit_exceeded", message = "Exceeded rate limit" } } });
                return;
            }

            if (fake.Down)
            {
                context.Response.StatusCode = 503;
                fake.Calls.Enqueue((context.Request.Method, context.Request.Path.Value! + " (503)", null, null));
                return;
            }

            var auth = context.Request.Headers.Authorization.ToString();
            if (auth != "Bearer " + fake!.Token)
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsJsonAsync(new { type = "error.list", errors = new[] { new { code = "unauthorized", message = "Access Token Invalid" } } });
                return;
            }

            await next();
        });
        app.MapGet("/me", (HttpRequest r) => fake!.Record(r, null, new JsonObject
        {
            ["type"] = "admin", ["id"] = AdminId, ["name"] = "Handoff Bot", ["email"] = "bot@example.com",
            ["app"] = new JsonObject { ["type"] = "app", ["id_code"] = AppId, ["name"] = "Acme", ["region"] = "US" },
        }));
        app.MapPost("/contacts/search", async (HttpRequest r) =>
        {
            var body = await Body(r);
            var email = body?["query"]?["value"]?.ToString() ?? "";
            var data = new JsonArray();
            if (fake!.ContactsByEmail.TryGetValue(email, out var id)) data.Add(new JsonObject { ["type"] = "contact", ["id"] = id, ["role"] = "user", ["email"] = email });
            return fake.Record(r, body, new JsonObject { ["type"] = "list", ["data"] = data, ["total_count"] = data.Count });
        });
        app.MapPost("/contacts", async (HttpRequest r) =>
        {
            var body = await Body(r);
            var email = body?["email"]?.ToString() ?? "";
            if (fake!.ContactsByEmail.ContainsKey(email)) { fake.Record(r, body, null); return Results.Conflict(new { type = "error.list" }); }
            var id = "6657" + Interlocked.Increment(ref fake.nextId).ToString("x20");
            fake.ContactsByEmail[email] = id;
            return fake.Record(r, body, new JsonObject { ["type"] = "contact", ["id"] = id, ["role"] = "user", ["email"] = email });
        });
        app.MapPost("/conversations", async (HttpRequest r) =>
        {
            var body = await Body(r);
            if (body?["from"]?["id"] is null || body["from"]!["type"]?.ToString() is not ("user" or "lead" or "contact") || body["body"] is null)
            {
                fake!.Record(r, body, null);
                return ErrorList(400, "parameter_invalid", "from (type user|lead|contact, id) and body are required");
            }

            var conversationId = Interlocked.Increment(ref fake!.nextId).ToString();
            fake.ContactOfConversation[conversationId] = body?["from"]?["id"]?.ToString() ?? "";
            return fake.Record(r, body, new JsonObject
            {
                ["type"] = "user_message", ["id"] = "4039" + conversationId, ["created_at"] = 1719492819,
                ["body"] = body?["body"]?.ToString(), ["message_type"] = "inapp", ["conversation_id"] = conversationId,
            });
        });
        app.MapGet("/conversations/{id}", (string id, HttpRequest r) => fake!.Known(id, r, null));
        app.MapPost("/conversations/{id}/reply", async (string id, HttpRequest r) =>
        {
            var body = await Body(r);
            var answer = fake!.Known(id, r, body);
            fake.EchoAdminPart(id, body, "conversation.admin.replied");
            return answer;
        });
        app.MapPost("/conversations/{id}/parts", async (string id, HttpRequest r) =>
        {
            var body = await Body(r);
            var answer = fake!.Known(id, r, body);
            if (body?["message_type"]?.ToString() == "close") fake.EchoAdminPart(id, body, "conversation.admin.closed");
            return answer;
        });
        app.MapPost("/conversations/{id}/run_assignment_rules", (string id, HttpRequest r) => fake!.Known(id, r, null));
        var address = await LoopbackApp.StartAsync(app);
        fake = new FakeIntercom(app, address, token);
        return fake;
    }

    /// <summary>Where the app's webhooks go, for the Messenger side (user messages, and echoes of what the bot admin does).</summary>
    public (string Url, string? ClientSecret)? Webhook { get; set; }

    /// <summary>Notifications the fake sent on its own (echoes), with our answer.</summary>
    public ConcurrentQueue<(string Topic, int Status)> Sent { get; } = new();

    /// <summary>
    /// A user writes in the Intercom Messenger: a new conversation (<c>conversation.user.created</c>, the message as its
    /// source) or a reply in an existing one (<c>conversation.user.replied</c>), signed as the app's webhooks are.
    /// </summary>
    /// <param name="email">The contact's e-mail as Intercom knows it; null for a lead without one.</param>
    public async Task<(string ConversationId, HttpStatusCode Status)> UserWritesAsync(string text, string? conversationId = null, string? partId = null, string? email = "jane@example.com")
    {
        var (url, secret) = Webhook ?? throw new InvalidOperationException("set Webhook first");
        var contactId = "6657" + Interlocked.Increment(ref nextId).ToString("x20");
        var isNew = conversationId is null;
        conversationId ??= Interlocked.Increment(ref nextId).ToString();
        contactId = ContactOfConversation.GetOrAdd(conversationId, contactId);
        var author = new JsonObject { ["type"] = email is null ? "lead" : "user", ["id"] = contactId, ["name"] = "Jane", ["email"] = email };
        var item = new JsonObject
        {
            ["type"] = "conversation", ["id"] = conversationId, ["state"] = "open", ["admin_assignee_id"] = null, ["team_assignee_id"] = null,
            ["contacts"] = new JsonObject { ["type"] = "contact.list", ["contacts"] = new JsonArray(new JsonObject { ["type"] = "contact", ["id"] = contactId }) },
            ["conversation_parts"] = new JsonObject { ["type"] = "conversation_part.list", ["total_count"] = isNew ? 0 : 1, ["conversation_parts"] = new JsonArray() },
        };
        if (isNew)
        {
            item["source"] = new JsonObject { ["type"] = "conversation", ["id"] = "src" + conversationId, ["delivered_as"] = "customer_initiated", ["body"] = $"<p>{WebUtility.HtmlEncode(text)}</p>", ["author"] = author };
        }
        else
        {
            item["conversation_parts"]!["conversation_parts"]!.AsArray().Add(new JsonObject
            {
                ["type"] = "conversation_part", ["id"] = partId ?? Interlocked.Increment(ref nextId).ToString(), ["part_type"] = "comment",
                ["body"] = $"<p>{WebUtility.HtmlEncode(text)}</p>", ["created_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["author"] = author,
            });
        }

        using var http = new HttpClient();
        using var response = await http.SendAsync(Signed(url, Envelope(isNew ? "conversation.user.created" : "conversation.user.replied", item), secret));
        return (conversationId, response.StatusCode);
    }

    /// <summary>What the bot admin posted into a conversation (its replies, as plain text).</summary>
    public IEnumerable<string> BotRepliesIn(string conversationId) => CallsTo("POST", $"/conversations/{conversationId}/reply")
        .Where(c => c.Body?["type"]?.ToString() == "admin" && c.Body?["admin_id"]?.ToString() == AdminId)
        .Select(c => WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(c.Body!["body"]!.ToString().Replace("<br>", "\n"), "<[^>]+>", "")));

    // Intercom notifies the app of what its own admin does too: the bot's replies and closes come back as webhooks.
    private void EchoAdminPart(string conversationId, JsonNode? body, string topic)
    {
        if (Webhook is not { } hook || body?["type"]?.ToString() != "admin" || !ContactOfConversation.ContainsKey(conversationId)) return;
        var part = new JsonObject
        {
            ["type"] = "conversation_part", ["id"] = Interlocked.Increment(ref nextId).ToString(),
            ["part_type"] = topic.EndsWith("closed") ? "close" : "comment", ["body"] = body["body"]?.ToString(), ["created_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["author"] = new JsonObject { ["type"] = "admin", ["id"] = AdminId, ["name"] = "Handoff Bot", ["email"] = "bot@example.com" },
        };
        var item = new JsonObject
        {
            ["type"] = "conversation", ["id"] = conversationId, ["state"] = "open",
            ["conversation_parts"] = new JsonObject { ["type"] = "conversation_part.list", ["total_count"] = 1, ["conversation_parts"] = new JsonArray(part) },
        };
        _ = Task.Run(async () =>
        {
            using var http = new HttpClient();
            using var response = await http.SendAsync(Signed(hook.Url, Envelope(topic, item), hook.ClientSecret));
            Sent.Enqueue((topic, (int)response.StatusCode));
        });
    }

    private static JsonObject Envelope(string topic, JsonObject item) => new()
    {
        ["type"] = "notification_event", ["app_id"] = AppId, ["id"] = "notif_" + Guid.NewGuid(), ["topic"] = topic,
        ["created_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["delivery_status"] = "pending", ["delivery_attempts"] = 1,
        ["data"] = new JsonObject { ["type"] = "notification_event_data", ["item"] = item },
    };

    private static HttpRequestMessage Signed(string url, JsonObject payload, string? clientSecret)
    {
        var raw = Encoding.UTF8.GetBytes(payload.ToJsonString());
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(raw) };
        request.Content.Headers.ContentType = new("application/json");
        if (clientSecret is not null)
        {
            request.Headers.Add("X-Hub-Signature", "sha1=" + Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(clientSecret), raw)));
        }

        return request;
    }

    public IEnumerable<(string Method, string Path, JsonNode? Body, string? Version)> CallsTo(string method, string path) =>
        Calls.Where(c => c.Method == method && c.Path == path);

    /// <summary>A notification as Intercom sends it, signed with the app's client secret when one is given.</summary>
    public static HttpRequestMessage Notification(string url, string topic, string conversationId, string? clientSecret,
        string? partType = null, string? html = null, string authorType = "admin", string authorName = "Sam", string? notificationId = null)
    {
        var part = new JsonObject
        {
            ["type"] = "conversation_part", ["id"] = Guid.NewGuid().ToString("N")[..6], ["part_type"] = partType ?? "comment",
            ["body"] = html, ["created_at"] = 1719492999,
            ["author"] = new JsonObject { ["type"] = authorType, ["id"] = "991270", ["name"] = authorName, ["email"] = "sam@example.com" },
        };
        var payload = new JsonObject
        {
            ["type"] = "notification_event", ["app_id"] = AppId, ["id"] = notificationId ?? "notif_" + Guid.NewGuid(), ["topic"] = topic,
            ["created_at"] = 1719493000, ["delivery_status"] = null, ["delivery_attempts"] = 1,
            ["data"] = new JsonObject
            {
                ["type"] = "notification_event_data",
                ["item"] = new JsonObject
                {
                    ["type"] = "conversation", ["id"] = conversationId, ["state"] = "open", ["admin_assignee_id"] = 991270, ["team_assignee_id"] = null,
                    ["conversation_parts"] = new JsonObject { ["type"] = "conversation_part.list", ["total_count"] = 1, ["conversation_parts"] = new JsonArray(part) },
                },
            },
        };
        var raw = Encoding.UTF8.GetBytes(payload.ToJsonString());
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(raw) };
        request.Content.Headers.ContentType = new("application/json");
        if (clientSecret is not null)
        {
            request.Headers.Add("X-Hub-Signature", "sha1=" + Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(clientSecret), raw)));
        }

        return request;
    }

    // Intercom answers unknown ids with 404 and an error list.
    private IResult Known(string id, HttpRequest request, JsonNode? body) => ContactOfConversation.TryGetValue(id, out var contact)
        ? Record(request, body, Conversation(id, contact))
        : ErrorList(404, "not_found", "Resource Not Found");

    private static IResult ErrorList(int status, string code, string message) =>
        Results.Json(new { type = "error.list", errors = new[] { new { code, message } } }, statusCode: status);

    private IResult Record(HttpRequest request, JsonNode? body, JsonNode? answer)
    {
        Calls.Enqueue((request.Method, request.Path.Value!, body, request.Headers["Intercom-Version"].FirstOrDefault()));
        return answer is null ? Results.Empty : Results.Content(answer.ToJsonString(), "application/json");
    }

    private static JsonObject Conversation(string id, string contactId) => new()
    {
        ["type"] = "conversation", ["id"] = id, ["state"] = "open",
        ["contacts"] = new JsonObject { ["type"] = "contact.list", ["contacts"] = new JsonArray(new JsonObject { ["type"] = "contact", ["id"] = contactId }) },
    };

    private static async Task<JsonNode?> Body(HttpRequest request) => await JsonNode.ParseAsync(request.Body);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
