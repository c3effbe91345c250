using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Handoff.Testing;

/// <summary>
/// A local Zoho SalesIQ portal and Zoho accounts host after docs/helpdesks.md 3.1–3.7: Org OAuth consent (code →
/// access + refresh token, refresh → access token, errors as HTTP 200 bodies), <c>Zoho-oauthtoken</c> checked on every
/// API call (an expired token answers error 1008 in an HTTP 200 body), portals, departments, apps (an app id above
/// 2^53), webhooks (a HEAD check of the URL before one is stored), the visitor conversation and message routes, the
/// operator close route; and the operators' side, which sends webhooks signed SHA256withRSA and retries once on ≥ 300.
/// </summary>
public sealed class FakeZohoSalesIq : IAsyncDisposable
{
    public const string AppId = "19367000000002043";
    private readonly WebApplication app;
    private readonly RSA signingKey = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, string> codes = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> accessTokens = new();
    private readonly ConcurrentDictionary<string, bool> refreshTokens = new();
    private long next = 19367000000130000;
    private int refreshes;

    private FakeZohoSalesIq(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }
    public string ClientId { get; } = "1000.FAKEORGCLIENT";
    public string ClientSecret { get; } = "zoho-client-secret-4321";
    public string ScreenName { get; } = "acme";
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Answer an expired token with HTTP 401 (as real SalesIQ sometimes does) instead of the documented HTTP 200 error body.</summary>
    public bool ExpiredTokenAs401 { get; set; }

    public int Refreshes => refreshes;
    public string? LastConversationId { get; private set; }
    public ConcurrentQueue<(string Method, string Path, JsonNode? Body)> Calls { get; } = new();
    public ConcurrentDictionary<string, JsonObject> Webhooks { get; } = new();
    public ConcurrentQueue<(string Url, int Status)> HeadChecks { get; } = new();
    public ConcurrentQueue<(string Url, int Status)> Deliveries { get; } = new();
    public string PublicKeyPem => signingKey.ExportSubjectPublicKeyInfoPem();
    public string PublicKeyBase64 => Convert.ToBase64String(signingKey.ExportSubjectPublicKeyInfo());
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public static async Task<FakeZohoSalesIq> StartAsync()
    {
        var app = LoopbackApp.Create();
        FakeZohoSalesIq? fake = null;
        app.MapGet("/oauth/v2/org/auth", (HttpRequest r) =>
        {
            var q = r.Query;
            if (q["client_id"] != fake!.ClientId) return Results.Content("<h1>Invalid Client</h1>", "text/html", statusCode: 400);
            if (q["response_type"] != "code" || q["access_type"] != "offline" || string.IsNullOrEmpty(q["redirect_uri"])) return Results.Content("<h1>Invalid Request</h1>", "text/html", statusCode: 400);
            var code = "1000." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
            fake.codes[code] = q["redirect_uri"]!;
            var back = $"{q["redirect_uri"]}?state={Uri.EscapeDataString(q["state"].ToString())}&code={code}&location=us&accounts-server={Uri.EscapeDataString(fake.BaseUrl)}";
            return Results.Redirect(back);
        });
        app.MapPost("/oauth/v2/token", async (HttpRequest r) =>
        {
            var form = await r.ReadFormAsync();
            fake!.Calls.Enqueue(("POST", "/oauth/v2/token", new JsonObject { ["grant_type"] = form["grant_type"].ToString() }));
            // Zoho accounts answers refusals with HTTP 200 and an error string (docs/helpdesks.md 0a).
            if (form["client_id"] != fake.ClientId || form["client_secret"] != fake.ClientSecret) return Results.Json(new { error = "invalid_client" });
            switch (form["grant_type"].ToString())
            {
                case "authorization_code":
                    if (!fake.codes.TryRemove(form["code"].ToString(), out var redirect) || redirect != form["redirect_uri"]) return Results.Json(new { error = "invalid_code" });
                    var refresh = "1000.refresh." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
                    fake.refreshTokens[refresh] = true;
                    return Results.Json(fake.IssueAccess(refresh));
                case "refresh_token":
                    if (!fake.refreshTokens.ContainsKey(form["refresh_token"].ToString())) return Results.Json(new { error = "invalid_code" });
                    Interlocked.Increment(ref fake.refreshes);
                    return Results.Json(fake.IssueAccess(null));
                default:
                    return Results.Json(new { error = "unsupported_grant_type" });
            }
        });

        var api = app.MapGroup("/api");
        api.AddEndpointFilter(async (context, next) =>
        {
            var header = context.HttpContext.Request.Headers.Authorization.ToString();
            var token = header.StartsWith("Zoho-oauthtoken ", StringComparison.Ordinal) ? header["Zoho-oauthtoken ".Length..] : null;
            if (token is null) return Error(1002, "Invalid Authorization header");
            if (!fake!.accessTokens.TryGetValue(token, out var until) || until < DateTimeOffset.UtcNow)
            {
                return fake.ExpiredTokenAs401 ? Results.Json(new { error = new { code = 1008, message = "Invalid OAuth token" } }, statusCode: 401) : Error(1008, "Invalid OAuth token");
            }

            return await next(context);
        });
        api.MapGet("/v2/portals", () => Results.Json(new { url = "/api/v2/portals", @object = "list", data = new[] { new { screenname = fake!.ScreenName, name = "Acme" } } }));
        api.MapGet("/v2/{screen}/departments", (string screen) => fake!.Portal(screen) ?? Results.Text(
            $$"""{"url":"/api/v2/{{screen}}/departments","object":"list","data":[{"id":"301050000004","name":"Support"},{"id":19367000000009999,"name":"Billing"}]}""", "application/json"));
        api.MapGet("/v2/{screen}/apps", (string screen) => fake!.Portal(screen) ?? Results.Text(
            $$"""{"url":"/api/v2/{{screen}}/apps","object":"list","data":[{"id":{{AppId}},"name":"Acme website"}]}""", "application/json"));
        api.MapGet("/v2/{screen}/webhooks", (string screen) => fake!.Portal(screen) ?? Results.Json(new { @object = "list", data = fake.Webhooks.Values.ToArray() }));
        api.MapPost("/v2/{screen}/webhooks", async (string screen, HttpRequest r) => fake!.Portal(screen) ?? await fake.SaveWebhookAsync(null, r));
        api.MapPut("/v2/{screen}/webhooks/{id}", async (string screen, string id, HttpRequest r) => fake!.Portal(screen) ?? await fake.SaveWebhookAsync(id, r));
        api.MapPost("/visitor/v1/{screen}/conversations", async (string screen, HttpRequest r) =>
        {
            var body = await JsonNode.ParseAsync(r.Body);
            fake!.Calls.Enqueue(("POST", "/conversations", body));
            if (fake.Portal(screen) is { } wrong) return wrong;
            if (body?["app_id"] is null || body["department_id"] is null || body["question"] is null || body["visitor"]?["user_id"] is null)
                return Error(1007, "app_id, department_id, question and visitor.user_id are mandatory");
            var id = Interlocked.Increment(ref fake.next).ToString();
            fake.LastConversationId = id;
            return Results.Json(new { url = $"/api/visitor/v1/{screen}/conversations", @object = "conversation", data = new { id, status = "waiting" } });
        });
        api.MapPost("/visitor/v1/{screen}/conversations/{id}/messages", async (string screen, string id, HttpRequest r) =>
        {
            var body = await JsonNode.ParseAsync(r.Body);
            fake!.Calls.Enqueue(("POST", $"/conversations/{id}/messages", body));
            return fake.Portal(screen) ?? Results.Json(new { @object = "message", data = new { id = Interlocked.Increment(ref fake.next).ToString(), text = body?["text"]?.ToString() } });
        });
        api.MapPost("/v2/{screen}/conversations/{id}/close", (string screen, string id) =>
        {
            fake!.Calls.Enqueue(("POST", $"/conversations/{id}/close", null));
            return fake.Portal(screen) ?? Results.Json(new { @object = "conversation", data = new { id, status = "closed" } });
        });

        var url = await LoopbackApp.StartAsync(app);
        fake = new FakeZohoSalesIq(app, url);
        return fake;
    }

    /// <summary>Where the Zobot's webhook goes (Settings → Bot → Zobot → Webhooks).</summary>
    public string? ZobotUrl { get; set; }

    /// <summary>Whether the Zobot's calls are signed ("Secure your webhook").</summary>
    public bool ZobotSigned { get; set; } = true;

    /// <summary>The forwards SalesIQ applied from the Zobot's answers: conversation and department (null: any).</summary>
    public ConcurrentQueue<(string ConversationId, string? Department)> Forwards { get; } = new();

    /// <summary>
    /// A visitor writes to the Zobot: SalesIQ calls the bot's webhook (<c>handler: message</c>, <c>operation</c> chat
    /// for the first message, message after) and acts on the answer; a <c>forward</c> gives the chat to the department.
    /// </summary>
    /// <summary>Report the Zobot's replies as <c>conversation.operator.replied</c> by the bot, as SalesIQ may ([?]).</summary>
    public bool EchoZobotReplies { get; set; }

    public async Task<(int Status, JsonNode? Answer)> VisitorWritesAsync(string conversationId, string text, bool first = false, RSA? signWith = null, string? requestId = null)
    {
        var payload = new JsonObject
        {
            ["handler"] = "message", ["operation"] = first ? "chat" : "message", ["org_id"] = "55778119",
            ["visitor"] = new JsonObject { ["active_conversation_id"] = conversationId, ["name"] = "Jane", ["email"] = "jane@example.com", ["channel"] = "website" },
            ["message"] = new JsonObject { ["text"] = text },
            ["request"] = new JsonObject { ["id"] = requestId ?? Interlocked.Increment(ref next).ToString() },
            ["attachments"] = new JsonArray(),
        };
        using var http = new HttpClient();
        using var response = await http.SendAsync(WebhookRequest(ZobotUrl ?? throw new InvalidOperationException("set ZobotUrl"), payload, signWith, ZobotSigned));
        var raw = await response.Content.ReadAsStringAsync();
        var answer = raw.Length > 0 && response.IsSuccessStatusCode ? JsonNode.Parse(raw) : null;
        if (answer?["action"]?.ToString() == "forward")
        {
            Forwards.Enqueue((conversationId, answer["department"]?.ToString()));
        }

        if (EchoZobotReplies)
        {
            foreach (var reply in answer?["replies"]?.AsArray() ?? [])
            {
                await OperatorRepliesAsync(conversationId, reply!.ToString(), sender: "Handoff Zobot");
            }
        }

        return ((int)response.StatusCode, answer);
    }

    /// <summary>Every access token issued so far stops working, as after an hour.</summary>
    public void ExpireAccessTokens()
    {
        foreach (var key in accessTokens.Keys) accessTokens[key] = DateTimeOffset.UtcNow.AddSeconds(-1);
    }

    /// <summary>The operator revokes our app: refresh tokens stop working.</summary>
    public void RevokeRefreshTokens() => refreshTokens.Clear();

    public IEnumerable<JsonNode?> CallsTo(string path) => Calls.Where(c => c.Path == path).Select(c => c.Body);

    /// <summary>The browser's trip through the consent page: Zoho answers with a redirect back to us carrying the code.</summary>
    public static async Task<HttpResponseMessage> ConsentAsync(string authorizeUrl)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var consent = await browser.GetAsync(authorizeUrl);
        if (consent.Headers.Location is not { } back) return consent;
        return await browser.GetAsync(back);
    }

    public Task<int> OperatorRepliesAsync(string conversationId, string text, string sender = "Patricia", string? msgId = null) =>
        DeliverAsync(Event("conversation.operator.replied", conversationId, new JsonObject
        {
            ["id"] = conversationId, ["version"] = 1, ["event_time"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(),
            ["message"] = new JsonObject
            {
                ["msgid"] = msgId ?? Interlocked.Increment(ref next).ToString(),
                ["text"] = text,
                ["sender"] = new JsonObject { ["id"] = "19367000000002079", ["name"] = sender },
            },
        }));

    /// <summary>An operator sends a file: the message carries no text.</summary>
    public Task<int> OperatorSendsFileAsync(string conversationId) =>
        DeliverAsync(Event("conversation.operator.replied", conversationId, new JsonObject
        {
            ["id"] = conversationId, ["event_time"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(),
            ["message"] = new JsonObject { ["msgid"] = Interlocked.Increment(ref next).ToString(), ["sender"] = new JsonObject { ["name"] = "Patricia" } },
        }));

    public Task<int> CompletesAsync(string conversationId) => DeliverAsync(Event("conversation.completed", conversationId, Conversation(conversationId, "Closed")));

    public Task<int> MissesAsync(string conversationId) => DeliverAsync(Event("conversation.missed", conversationId, Conversation(conversationId, "Missed")));

    /// <summary>A request as SalesIQ sends it, signed with this portal's key unless <paramref name="signWith"/> says otherwise.</summary>
    public HttpRequestMessage WebhookRequest(string url, JsonObject payload, RSA? signWith = null, bool signed = true)
    {
        var body = Encoding.UTF8.GetBytes(payload.ToJsonString());
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        if (signed)
        {
            request.Headers.Add("x-siqsignature", Convert.ToBase64String((signWith ?? signingKey).SignData(body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
        }

        return request;
    }

    public static JsonObject Event(string name, string conversationId, JsonObject entity) => new()
    {
        ["entity_type"] = "conversation", ["event"] = name, ["entity_id"] = conversationId, ["org_id"] = "55778119",
        // A number above 2^53, as real payloads carry it (docs/helpdesks.md 0a).
        ["app_id"] = JsonNode.Parse(AppId), ["version"] = "1", ["attempt"] = 1, ["entity"] = entity,
    };

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        signingKey.Dispose();
    }

    private static JsonObject Conversation(string id, string status) => new()
    {
        ["id"] = id, ["app_id"] = AppId, ["department_id"] = "301050000004", ["status"] = status,
        ["owner"] = new JsonObject { ["id"] = "19367000000002079", ["name"] = "Patricia" },
        ["end_time"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(),
    };

    /// <summary>Sends an event to every registered webhook, signed when the webhook is secured; one retry on ≥ 300.</summary>
    private async Task<int> DeliverAsync(JsonObject payload)
    {
        var status = 0;
        foreach (var hook in Webhooks.Values)
        {
            var url = hook["url"]!.ToString();
            for (var attempt = 1; attempt <= 2; attempt++)
            {
                payload["attempt"] = attempt;
                using var http = new HttpClient();
                using var response = await http.SendAsync(WebhookRequest(url, payload, signed: hook["secured"]?.GetValue<bool>() == true));
                status = (int)response.StatusCode;
                Deliveries.Enqueue((url, status));
                if (status < 300) break;
                await Task.Delay(RetryDelay);
            }
        }

        return status;
    }

    private async Task<IResult> SaveWebhookAsync(string? id, HttpRequest request)
    {
        var body = (JsonObject)(await JsonNode.ParseAsync(request.Body))!;
        Calls.Enqueue((request.Method, id is null ? "/webhooks" : $"/webhooks/{id}", body.DeepClone()));
        var url = body["url"]?.ToString();
        if (url is null || body["events"] is not JsonArray) return Error(1007, "url and events are mandatory");
        using var http = new HttpClient();
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        HeadChecks.Enqueue((url, (int)head.StatusCode));
        if (head.StatusCode != System.Net.HttpStatusCode.OK) return Error(1006, "The webhook URL did not answer the HEAD check with 200");
        id ??= Interlocked.Increment(ref next).ToString();
        body["id"] = id;
        Webhooks[id] = body;
        return Results.Json(new { @object = "webhook", data = body });
    }

    private object IssueAccess(string? refresh)
    {
        var token = "1000.access." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        accessTokens[token] = DateTimeOffset.UtcNow + TokenLifetime;
        var seconds = (long)TokenLifetime.TotalSeconds;
        return refresh is null
            ? new { access_token = token, expires_in = seconds * 1000, expires_in_sec = seconds, api_domain = BaseUrl, token_type = "Bearer" }
            : (object)new { access_token = token, refresh_token = refresh, expires_in = seconds * 1000, api_domain = BaseUrl, token_type = "Bearer" };
    }

    private IResult? Portal(string screen) => screen == ScreenName ? null : Error(1005, "Invalid portal or wrong screen name.");

    private static IResult Error(int code, string message) => Results.Json(new { error = new { code, message } });
}
