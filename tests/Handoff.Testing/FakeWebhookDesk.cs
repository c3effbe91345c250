using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Handoff.Testing;

/// <summary>
/// A strict stand-in for an agent owner's server of the generic webhook protocol (docs/api.md section 5):
/// it checks method, content type, Basic credentials and (when set) our signature on every call, records what
/// it received in order, and can be made to fail to play a desk that is down.
/// </summary>
public sealed class FakeWebhookDesk : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeWebhookDesk(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }
    public string? Username { get; init; }
    public string? Password { get; init; }
    public string? SigningSecret { get; init; }

    /// <summary>While set, every protocol call answers this status (e.g. 503) and is recorded as refused.</summary>
    public int? FailWith { get; set; }

    public ConcurrentQueue<DeskCall> Calls { get; } = new();
    public List<string> Problems { get; } = [];

    public IEnumerable<DeskCall> Accepted(string path) => Calls.Where(c => c.Path == path && c.Accepted);

    public static async Task<FakeWebhookDesk> StartAsync(string? username = null, string? password = null, string? signingSecret = null)
    {
        var app = LoopbackApp.Create();
        FakeWebhookDesk? desk = null;
        app.MapGet("/desk", (HttpRequest r) => !desk!.Authorized(r) ? Results.Unauthorized() : desk.FailWith is { } s ? Results.StatusCode(s) : Results.Ok());
        foreach (var path in new[] { "conversation/establish", "chat", "conversation/close" })
        {
            app.MapPost("/desk/" + path, (HttpRequest r) => desk!.HandleAsync(path, r));
        }

        var address = await LoopbackApp.StartAsync(app);
        desk = new FakeWebhookDesk(app, address + "/desk") { Username = username, Password = password, SigningSecret = signingSecret };
        return desk;
    }

    public async Task<DeskCall> WaitForAsync(string path, Func<DeskCall, bool>? match = null, int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < until)
        {
            if (Accepted(path).FirstOrDefault(c => match?.Invoke(c) ?? true) is { } call) return call;
            await Task.Delay(50);
        }

        throw new TimeoutException($"the desk got no accepted {path} call in {timeoutMs} ms; calls: {string.Join(", ", Calls.Select(c => c.Path))}");
    }

    private bool Authorized(HttpRequest request)
    {
        if (Username is null) return true;
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));
        return request.Headers.Authorization.ToString() == expected;
    }

    private async Task<IResult> HandleAsync(string path, HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var raw = await reader.ReadToEndAsync();
        if (!Authorized(request)) return Problem(path, raw, 401, "bad basic credentials");
        if (request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true) return Problem(path, raw, 415, "not JSON");
        if (SigningSecret is not null && !SignatureOk(request.Headers["X-Handoff-Signature"].ToString(), raw)) return Problem(path, raw, 401, "bad signature");

        JsonElement json;
        try
        {
            json = JsonDocument.Parse(raw).RootElement.Clone();
        }
        catch (JsonException)
        {
            return Problem(path, raw, 400, "malformed JSON");
        }

        if (FailWith is { } status)
        {
            Calls.Enqueue(new DeskCall(path, json, false));
            return Results.StatusCode(status);
        }

        Calls.Enqueue(new DeskCall(path, json, true));
        return Results.Ok(new { code = 0, message = "ok" });
    }

    private IResult Problem(string path, string raw, int status, string why)
    {
        lock (Problems) Problems.Add($"{path}: {why}: {raw}");
        return Results.StatusCode(status);
    }

    private bool SignatureOk(string header, string raw)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1)) return false;
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningSecret!), Encoding.UTF8.GetBytes($"{t}.{raw}"));
        return Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(t)) <= 300 && Convert.ToHexStringLower(mac) == v1;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

public sealed record DeskCall(string Path, JsonElement Body, bool Accepted)
{
    public string Str(string name) => Body.GetProperty(name).GetString()!;
}
