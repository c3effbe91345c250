using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Handoff.Host.Hosting;
using Handoff.HelpDesks.Webhook;
using Handoff.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Handoff.Benchmarks.Scenarios;

/// <summary>A chat conversation of the rig with its one SignalR connection and, once handed off, its hand-off id.</summary>
public sealed class BenchConversation(int index, string id, string token, HubConnection hub)
{
    public int Index { get; } = index;
    public string Id { get; } = id;
    public string Token { get; } = token;
    public HubConnection Hub { get; } = hub;
    public string? HandoffId { get; set; }
    public long Sent;
    public long LastDelivered;
}

/// <summary>
/// The real host on loopback (memory or PostgreSQL mode) with a <see cref="BenchDesk"/>, one agent whose webhook
/// connection has a signing secret, and helpers to open conversations and hand them off.
/// </summary>
public sealed class HandoffRig : IAsyncDisposable
{
    public const string AdminKey = "bench-admin-key-0123456789abcdef";
    public const string SigningSecret = "bench-signing-secret-0123456789";

    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> established = new();

    private HandoffRig(RunningHost host, BenchDesk desk)
    {
        Host = host;
        Desk = desk;
        Admin = new HttpClient { BaseAddress = host.BaseAddress };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = Relay.MaxConnections }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        desk.Established = (conversationId, handoffId) => established.GetOrAdd(conversationId, _ => NewSource()).TrySetResult(handoffId);
    }

    public RunningHost Host { get; }
    public BenchDesk Desk { get; }
    public HttpClient Admin { get; }
    public HttpClient Http { get; }
    public IGrainFactory Grains => Host.App.Services.GetRequiredService<IGrainFactory>();
    public Dictionary<string, string> ReceivingKeys { get; } = new();

    /// <summary>Completed by the text of a pushed ChatMessage, whichever connection receives it.</summary>
    public ConcurrentDictionary<string, TaskCompletionSource> AwaitedTexts { get; } = new();

    public Action<BenchConversation, JsonElement>? StateSeen { get; set; }

    public static async Task<HandoffRig> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Handoff:AdminApiKey"] = AdminKey,
            ["Handoff:Demo:Enabled"] = "false",
            ["Handoff:AllowPrivateNetworkTargets"] = "true",
            ["Handoff:RateLimits:PublicPerMinute"] = "100000000",
            ["Handoff:RateLimits:HelpDeskWebhooksPerMinute"] = "100000000",
            ["Handoff:Reminders:MinimumPeriod"] = "00:00:05",
        };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        var desk = await BenchDesk.StartAsync();
        var host = await RunningHost.StartAsync(all, args => HandoffApp.Build(args));
        return new HandoffRig(host, desk);
    }

    public async Task<string> CreateAgentAsync(object handoff)
    {
        var agentId = "bench-" + Guid.NewGuid().ToString("N")[..10];
        (await Admin.PutAsJsonAsync($"/api/agents/{agentId}/handoff", handoff)).EnsureSuccessStatusCode();
        var response = await Admin.PutAsJsonAsync($"/api/agents/{agentId}/helpdesk",
            new { kind = "webhook", settings = new Dictionary<string, string> { ["url"] = Desk.BaseUrl, ["signingSecret"] = SigningSecret } });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (body.GetProperty("status").GetString() != "available") throw new InvalidOperationException("the bench desk is not available: " + body);
        ReceivingKeys[agentId] = body.GetProperty("receivingKey").GetString()!;
        return agentId;
    }

    /// <summary>Creates conversations over the public API (<c>{conversationId, token}</c>) without connecting to them.</summary>
    public async Task<List<(string Id, string Token)>> CreateConversationsAsync(string agentId, int count, int parallel = 16)
    {
        var result = new (string, string)[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, _) =>
        {
            using var response = await Http.PostAsJsonAsync($"/api/agents/{agentId}/conversations", new { channel = "widget", email = $"idle{i}@example.com" });
            response.EnsureSuccessStatusCode();
            var created = await response.Content.ReadFromJsonAsync<JsonElement>();
            result[i] = (created.GetProperty("conversationId").GetString()!, created.GetProperty("token").GetString()!);
        });
        return [.. result];
    }

    /// <summary>Opens <paramref name="count"/> conversations with a connected client each, <paramref name="parallel"/> at a time.</summary>
    public async Task<List<BenchConversation>> OpenAsync(string agentId, int count, bool handOff, int parallel = 16)
    {
        var result = new BenchConversation[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, _) =>
        {
            var response = await Http.PostAsJsonAsync($"/api/agents/{agentId}/conversations", new { channel = "widget", email = $"user{i}@example.com" });
            response.EnsureSuccessStatusCode();
            var created = await response.Content.ReadFromJsonAsync<JsonElement>();
            var id = created.GetProperty("conversationId").GetString()!;
            var token = created.GetProperty("token").GetString()!;
            var hub = new HubConnectionBuilder()
                .WithUrl(new Uri(Host.BaseAddress, "/hubs/chat"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .Build();
            var conversation = new BenchConversation(i, id, token, hub);
            hub.On<JsonElement>("message", m =>
            {
                if (m.GetProperty("text").GetString() is { } text && AwaitedTexts.TryRemove(text, out var waiting)) waiting.TrySetResult();
            });
            hub.On<JsonElement>("state", s => StateSeen?.Invoke(conversation, s));
            await hub.StartAsync();
            if (handOff)
            {
                var source = established.GetOrAdd(id, _ => NewSource());
                await hub.InvokeAsync("RequestHuman");
                conversation.HandoffId = await source.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }

            result[i] = conversation;
        });
        return [.. result];
    }

    /// <summary>Conversations that ask for a human through the REST API, with no client connected: answers their ids.</summary>
    public async Task<List<string>> OpenOverRestAsync(string agentId, int count, int parallel = 16)
    {
        var result = new string[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, _) =>
        {
            using var response = await Http.PostAsJsonAsync($"/api/agents/{agentId}/conversations", new { channel = "api", email = $"user{i}@example.com" });
            response.EnsureSuccessStatusCode();
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString()!;
            using var handoff = await Admin.PostAsJsonAsync($"/api/conversations/{id}/handoff", new { reason = "benchmark" });
            handoff.EnsureSuccessStatusCode();
            result[i] = id;
        });
        return [.. result];
    }

    /// <summary>The desk's human says the first thing, which puts the conversation in <c>with-human</c>.</summary>
    public async Task GreetAsync(string agentId, IEnumerable<BenchConversation> conversations)
    {
        foreach (var c in conversations)
        {
            var text = $"hello from the desk {c.Id}";
            var arrived = Await(text);
            using var response = await HumanSaysAsync(agentId, c.HandoffId!, text, Guid.NewGuid().ToString("N"));
            response.EnsureSuccessStatusCode();
            await arrived.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public Task Await(string text)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!AwaitedTexts.TryAdd(text, source)) throw new InvalidOperationException("text awaited twice: " + text);
        return source.Task;
    }

    /// <summary>A signed <c>/v1/human/message/receive</c>, exactly as a desk with the signing secret sends it.</summary>
    public Task<HttpResponseMessage> HumanSaysAsync(string agentId, string handoffId, string text, string messageId)
    {
        var raw = JsonSerializer.SerializeToUtf8Bytes(new
        {
            conversation_id = handoffId,
            timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            body = text,
            message_id = messageId,
            sender_name = "Anna",
        });
        return SendRawAsync(raw, ReceivingKeys[agentId], WebhookSignature.Create(SigningSecret, DateTimeOffset.UtcNow, raw));
    }

    public Task<HttpResponseMessage> SendRawAsync(byte[] raw, string? receivingKey, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/human/message/receive") { Content = new ByteArrayContent(raw) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (receivingKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", receivingKey);
        if (signature is not null) request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, signature);
        return Http.SendAsync(request);
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static TaskCompletionSource<string> NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        Http.Dispose();
        await Host.DisposeAsync();
        await Desk.DisposeAsync();
    }
}
