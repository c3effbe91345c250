using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Handoff.Testing;

/// <summary>
/// A local Sobot after docs/helpdesks.md 5: <c>get_token</c> with its MD5 sign (a wrong one gets Sobot's
/// <c>{ ret_code, ret_msg }</c> error shape), each issue invalidating the token before, <c>expires_in</c> as a string
/// of seconds (configurable, and enforced); business calls that check the <c>token</c> header; the hand-over route
/// at a configurable path, recorded; and the agent's side, which sends signed message pushes (202) and forwarding
/// batches to our receiving address, once more on a non-2xx. The error codes are this fake's own: Sobot's are not public.
/// </summary>
public sealed class FakeSobot : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly object gate = new();
    private string? currentToken;
    private DateTimeOffset currentExpires;
    private int tokenCalls;

    private FakeSobot(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }
    public string AppId { get; } = "sobot-app-1";
    public string AppKey { get; } = "sobot-app-key-7777";
    public string CompanyId { get; } = "c0mpany42";
    public string ForwardingKey { get; } = "fwd-key-5555";
    public const string TransferPath = "/chat-open/api/transfer";
    public const string EndPath = "/chat-open/api/end";

    /// <summary>What <c>get_token</c> answers as <c>expires_in</c>; the token stops working after it.</summary>
    public string ExpiresIn { get; set; } = "86400";

    public int TokenCalls => Volatile.Read(ref tokenCalls);

    /// <summary>When the current token was issued.</summary>
    public DateTimeOffset IssuedAt { get; private set; }

    /// <summary>Every business call: its path, body, and whether its token was accepted.</summary>
    public ConcurrentQueue<(string Path, JsonNode? Body, bool Accepted)> Calls { get; } = new();

    public IEnumerable<JsonNode?> AcceptedCallsTo(string path) => Calls.Where(c => c.Path == path && c.Accepted).Select(c => c.Body);

    /// <summary>As if someone else called get_token with our appid: the token we hold stops working.</summary>
    public void InvalidateTokens()
    {
        lock (gate) currentToken = "revoked-" + Guid.NewGuid().ToString("N");
    }

    public static async Task<FakeSobot> StartAsync()
    {
        var app = LoopbackApp.Create();
        FakeSobot? fake = null;
        app.MapGet("/api/get_token", (HttpRequest r) =>
        {
            var appId = r.Query["appid"].ToString();
            var createTime = r.Query["create_time"].ToString();
            var expected = Md5(appId + createTime + fake!.AppKey);
            Interlocked.Increment(ref fake.tokenCalls);
            if (appId != fake.AppId || r.Query["sign"].ToString() != expected || !long.TryParse(createTime, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return Results.Json(new { ret_code = "900003", ret_msg = "appid or sign is wrong" });
            }

            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            lock (fake.gate)
            {
                fake.currentToken = token;
                fake.IssuedAt = DateTimeOffset.UtcNow;
                fake.currentExpires = DateTimeOffset.UtcNow.AddSeconds(double.Parse(fake.ExpiresIn, CultureInfo.InvariantCulture));
            }

            return Results.Json(new { ret_code = "000000", ret_msg = "success", item = new { token, expires_in = fake.ExpiresIn } });
        });
        app.MapPost("/{**path}", async (string path, HttpRequest r) =>
        {
            var body = r.ContentLength is 0 ? null : await JsonNode.ParseAsync(r.Body);
            var token = r.Headers["token"].ToString();
            bool valid;
            lock (fake!.gate) valid = token.Length > 0 && token == fake.currentToken && DateTimeOffset.UtcNow < fake.currentExpires;
            fake.Calls.Enqueue(("/" + path, body, valid));
            return valid
                ? Results.Json(new { ret_code = "000000", ret_msg = "success" })
                : Results.Json(new { ret_code = "900002", ret_msg = "token is invalid or expired" });
        });
        var address = await LoopbackApp.StartAsync(app);
        fake = new FakeSobot(app, address);
        return fake;
    }

    /// <summary>An agent's message as Sobot's message push sends it (type 202).</summary>
    public static JsonObject AgentMessage(string partnerId, string msgId, string content, string aname = "Sam", string msgType = "text") => new()
    {
        ["type"] = 202, ["partnerId"] = partnerId, ["msgId"] = msgId, ["content"] = content, ["msgType"] = msgType,
        ["aname"] = aname, ["aface"] = "https://img.sobot.example/sam.png", ["params"] = "",
    };

    /// <summary>Delivers a callback like Sobot: signed when the fake's company id and key are given, once more on a non-2xx.</summary>
    public async Task<(HttpResponseMessage First, HttpResponseMessage? Retry)> SendAsync(HttpClient http, string address, JsonNode payload, bool signed = true) =>
        await WebhookDelivery.DeliverAsync(http, Prepare(address, payload.ToJsonString(), signed ? CompanyId : null, signed ? ForwardingKey : null));

    /// <summary>A callback request built the same way every time it is called (same bytes, same signature).</summary>
    public static Func<HttpRequestMessage> Prepare(string address, string body, string? companyId, string? key, DateTimeOffset? at = null, string? signOverride = null)
    {
        var ts = (at ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var random = RandomNumberGenerator.GetInt32(100, 1000).ToString(CultureInfo.InvariantCulture);
        var raw = Encoding.UTF8.GetBytes(body);
        return () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, address) { Content = new ByteArrayContent(raw) };
            request.Content.Headers.ContentType = new("application/json");
            if (companyId is not null && key is not null)
            {
                request.Headers.Add("X-Log-TimeStamp", ts);
                request.Headers.Add("X-Log-RandomCode", random);
                request.Headers.Add("X-Log-Sign", signOverride ?? Md5(companyId + ts + random + key));
            }

            return request;
        };
    }

    public static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
