using Handoff.Contracts.Conversations;
using Handoff.Contracts.Realtime;
using Microsoft.AspNetCore.SignalR;

namespace Handoff.Host.Realtime;

/// <summary>
/// This node's end of the push path: conversation grains on any silo call its observer reference, and it sends
/// to the SignalR group of the conversation, which holds only this node's connections.
/// </summary>
public sealed class ChatPushRelay(IHubContext<ChatHub> hub) : IChatPushObserver
{
    public static string Group(string conversationId) => "conversation:" + conversationId;

    public Task MessageAsync(string conversationId, ChatMessage message) => hub.Clients.Group(Group(conversationId)).SendAsync("message", message);

    public Task StateAsync(string conversationId, StateChange state) => hub.Clients.Group(Group(conversationId)).SendAsync("state", state);

    public Task TypingAsync(string conversationId, string from) => hub.Clients.Group(Group(conversationId)).SendAsync("typing", new { from });

    public Task ReadAsync(string conversationId, long upToSeq) => hub.Clients.Group(Group(conversationId)).SendAsync("read", new { upToSeq });
}

/// <summary>
/// Which conversations this node holds connections for, and the observer reference grains push to. It renews the
/// node's subscriptions well inside their lifetime so a quiet connection keeps receiving.
/// </summary>
public sealed class ChatPushSubscriptions(IGrainFactory grains, ChatPushRelay relay, ILogger<ChatPushSubscriptions> logger) : BackgroundService
{
    private readonly Dictionary<string, int> connections = new();
    // Exactly one reference per node: two would be two subscriptions, and every message would reach each connection twice.
    private readonly Lazy<IChatPushObserver> reference = new(() => grains.CreateObjectReference<IChatPushObserver>(relay), LazyThreadSafetyMode.ExecutionAndPublication);

    public IChatPushObserver Reference => reference.Value;

    public async Task ConnectedAsync(string conversationId)
    {
        lock (connections)
        {
            connections[conversationId] = connections.GetValueOrDefault(conversationId) + 1;
        }

        await grains.GetGrain<IConversationGrain>(conversationId).SubscribeAsync(Reference);
    }

    public async Task DisconnectedAsync(string conversationId)
    {
        bool last;
        lock (connections)
        {
            var left = connections.GetValueOrDefault(conversationId) - 1;
            last = left <= 0;
            if (last) connections.Remove(conversationId);
            else connections[conversationId] = left;
        }

        if (last)
        {
            await grains.GetGrain<IConversationGrain>(conversationId).UnsubscribeAsync(Reference);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            string[] ids;
            lock (connections) ids = connections.Keys.ToArray();
            foreach (var id in ids)
            {
                try
                {
                    await grains.GetGrain<IConversationGrain>(id).SubscribeAsync(Reference);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogDebug(ex, "Renewing the push subscription of {ConversationId} failed; next minute again", id);
                }
            }
        }
    }
}
