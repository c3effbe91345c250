using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Handoff.Testing;

/// <summary>
/// An OpenAI-compatible chat-completions endpoint (<c>POST /v1/chat/completions</c>, the public API's request and
/// response shape) that records each request and answers from a script the test sets.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeOpenAiServer(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>What to pass as the bot's <c>baseUrl</c>.</summary>
    public string BaseUrl { get; }

    public ConcurrentQueue<(JsonElement Body, string? Authorization)> Requests { get; } = new();

    /// <summary>Decides the answer to each request; returns a text reply by default.</summary>
    public Func<JsonElement, IResult> Respond { get; set; } = _ => Text("Hello from the model.");

    /// <summary>How long each answer takes: a slow model.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, every answer waits until this completes: a model that thinks exactly as long as a test wants.</summary>
    public Task? Gate { get; set; }

    private int answered;

    /// <summary>How many answers have been sent.</summary>
    public int Answered => Volatile.Read(ref answered);

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var app = LoopbackApp.Create();
        FakeOpenAiServer? server = null;
        app.MapPost("/v1/chat/completions", async (HttpRequest request) =>
        {
            var body = await JsonDocument.ParseAsync(request.Body);
            var root = body.RootElement.Clone();
            server!.Requests.Enqueue((root, request.Headers.Authorization.FirstOrDefault()));
            if (server.Delay > TimeSpan.Zero) await Task.Delay(server.Delay);
            if (server.Gate is { } gate) await gate;
            var answer = server.Respond(root);
            Interlocked.Increment(ref server.answered);
            return answer;
        });
        var address = await LoopbackApp.StartAsync(app);
        server = new FakeOpenAiServer(app, address + "/v1");
        return server;
    }

    public static IResult Text(string content) => Completion(new { role = "assistant", content }, "stop");

    public static IResult ToolCall(string name, string argumentsJson) => Completion(new
    {
        role = "assistant",
        content = (string?)null,
        tool_calls = new[] { new { id = "call_" + Guid.NewGuid().ToString("N")[..8], type = "function", function = new { name, arguments = argumentsJson } } },
    }, "tool_calls");

    private static IResult Completion(object message, string finishReason) => Results.Json(new
    {
        id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..8],
        @object = "chat.completion",
        created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        model = "fake-model",
        choices = new[] { new { index = 0, message, finish_reason = finishReason } },
        usage = new { prompt_tokens = 10, completion_tokens = 5, total_tokens = 15 },
    });

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
