using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Handoff.Testing;

/// <summary>A real SignalR client of <c>/hubs/chat</c>, collecting pushed messages (deduped by seq) and states.</summary>
public sealed class ChatClient : IAsyncDisposable
{
    private ChatClient(HubConnection connection, string conversationId, string token)
    {
        Connection = connection;
        ConversationId = conversationId;
        Token = token;
        connection.On<JsonElement>("message", m =>
        {
            Pushed.Enqueue(m.GetProperty("seq").GetInt64());
            Messages.TryAdd(m.GetProperty("seq").GetInt64(), m);
        });
        connection.On<JsonElement>("state", s => States.Enqueue(s));
    }

    public HubConnection Connection { get; }
    public string ConversationId { get; }
    public string Token { get; }
    public ConcurrentDictionary<long, JsonElement> Messages { get; } = new();
    public ConcurrentQueue<JsonElement> States { get; } = new();

    /// <summary>The seq of every push as it arrived, doubles included (<see cref="Messages"/> keeps one per seq).</summary>
    public ConcurrentQueue<long> Pushed { get; } = new();

    /// <summary>Creates a conversation of <paramref name="agentId"/> and connects to it.</summary>
    public static async Task<ChatClient> StartAsync(Uri host, string agentId, string? email = null, string channel = "widget", Uri? hubHost = null)
    {
        using var http = new HttpClient { BaseAddress = host };
        var response = await http.PostAsJsonAsync($"/api/agents/{agentId}/conversations", new { channel, email });
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return await ConnectAsync(hubHost ?? host, created.GetProperty("conversationId").GetString()!, created.GetProperty("token").GetString()!);
    }

    public static async Task<ChatClient> ConnectAsync(Uri host, string conversationId, string token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(host, "/hubs/chat"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        var client = new ChatClient(connection, conversationId, token);
        await connection.StartAsync();
        // Like a real widget: Join first. Hub calls run after OnConnectedAsync, so pushes are subscribed from here on.
        await client.JoinAsync();
        return client;
    }

    public Task<JsonElement> JoinAsync() => Connection.InvokeAsync<JsonElement>("Join");

    public async Task<long> SendAsync(string text, string? clientMessageId = null) =>
        (await Connection.InvokeAsync<JsonElement>("Send", text, clientMessageId ?? Guid.NewGuid().ToString("N"))).GetProperty("seq").GetInt64();

    public async Task<JsonElement> WaitForMessageAsync(Func<JsonElement, bool> match, int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < until)
        {
            var found = Messages.Values.OrderBy(m => m.GetProperty("seq").GetInt64()).FirstOrDefault(m => match(m));
            if (found.ValueKind != JsonValueKind.Undefined) return found;
            await Task.Delay(25);
        }

        throw new TimeoutException("no matching message; got: " + string.Join(" | ", Ordered().Select(m => $"{m.GetProperty("from")}:{m.GetProperty("text")}")));
    }

    public Task<JsonElement> WaitForTextAsync(string from, string text, int timeoutMs = 10_000) =>
        WaitForMessageAsync(m => m.GetProperty("from").GetString() == from && m.GetProperty("text").GetString() == text, timeoutMs);

    public async Task<JsonElement> WaitForStateAsync(string state, string? reason = null, int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < until)
        {
            var found = States.FirstOrDefault(s => s.GetProperty("state").GetString() == state &&
                                                   (reason is null || s.GetProperty("reason").GetString() == reason));
            if (found.ValueKind != JsonValueKind.Undefined) return found;
            await Task.Delay(25);
        }

        throw new TimeoutException($"no state {state}/{reason}; got: " + string.Join(", ", States.Select(s => s.ToString())));
    }

    public IReadOnlyList<JsonElement> Ordered() => Messages.Values.OrderBy(m => m.GetProperty("seq").GetInt64()).ToList();

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
