using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Handoff.Benchmarks.Harness;
using Microsoft.AspNetCore.SignalR.Client;

namespace Handoff.Benchmarks.Scenarios;

/// <summary>The same human-reply payload, either into the bare relay (B1) or through the real host (S1).</summary>
public static class Relay
{
    // A realistic human reply: a sentence or two, not a one-byte ping.
    // Open-loop load past saturation would otherwise open a socket per waiting request, until the machine's file
    // table is full; beyond this they queue in the client, and that wait still counts from their due time.
    public const int MaxConnections = 128;

    public const string Filler = "Thanks for waiting. I have checked your order and it left our warehouse this morning; tracking follows by e-mail.";

    public sealed class BareClients(BareRelay relay, List<HubConnection> connections, ConcurrentDictionary<string, TaskCompletionSource> awaited) : IAsyncDisposable
    {
        private long counter;
        private readonly HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = Relay.MaxConnections }) { BaseAddress = relay.BaseAddress };

        public static async Task<BareClients> StartAsync(BareRelay relay, int count)
        {
            var awaited = new ConcurrentDictionary<string, TaskCompletionSource>();
            var connections = new List<HubConnection>();
            for (var i = 0; i < count; i++)
            {
                var hub = new HubConnectionBuilder().WithUrl(new Uri(relay.BaseAddress, $"/hub?group=g{i}")).Build();
                hub.On<JsonElement>("message", m =>
                {
                    if (m.GetProperty("text").GetString() is { } text && awaited.TryRemove(text, out var waiting)) waiting.TrySetResult();
                });
                await hub.StartAsync();
                connections.Add(hub);
            }

            return new BareClients(relay, connections, awaited);
        }

        public async Task SendAsync(long due, Latencies? ack)
        {
            var n = Interlocked.Increment(ref counter);
            var text = $"b1 {n} {Filler}";
            var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            awaited[text] = source;
            var raw = JsonSerializer.SerializeToUtf8Bytes(new
            {
                conversation_id = $"g{n % connections.Count}",
                timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                body = text,
                message_id = $"m{n}",
                sender_name = "Anna",
            });
            using var content = new ByteArrayContent(raw);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync("/relay", content);
            ack?.Record(due, Stopwatch.GetTimestamp());
            if (!response.IsSuccessStatusCode)
            {
                awaited.TryRemove(text, out _);
                throw new HttpRequestException($"relay answered {(int)response.StatusCode}", null, response.StatusCode);
            }

            await source.Task;
        }

        public async ValueTask DisposeAsync()
        {
            http.Dispose();
            foreach (var c in connections) await c.DisposeAsync();
        }
    }

    /// <summary>S1: a signed human reply to one of the handed-off conversations, done when its client has it.</summary>
    public sealed class Inbound(HandoffRig rig, string agentId, List<BenchConversation> conversations, string prefix)
    {
        private long counter;

        public long Sent => Interlocked.Read(ref counter);

        public async Task SendAsync(long due, Latencies? ack)
        {
            var n = Interlocked.Increment(ref counter);
            var conversation = conversations[(int)(n % conversations.Count)];
            var text = $"{prefix} {n} {Filler}";
            var arrived = rig.Await(text);
            using var response = await rig.HumanSaysAsync(agentId, conversation.HandoffId!, text, $"{prefix}-{n}");
            ack?.Record(due, Stopwatch.GetTimestamp());
            if (!response.IsSuccessStatusCode)
            {
                rig.AwaitedTexts.TryRemove(text, out _);
                throw new HttpRequestException($"the host answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}", null, response.StatusCode);
            }

            await arrived;
        }
    }
}
