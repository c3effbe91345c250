using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Contracts.Realtime;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace Handoff.Grains.Conversations;

/// <summary>
/// The web nodes that hold connections of one conversation (each node's push observer, renewed by the node) and
/// the pushes to them. Best effort: a node that misses a push resumes by <c>seq</c>.
/// </summary>
public sealed class ChatPushSubscribers(string conversationId, IGrainFactory grains, ILogger logger)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly ObserverManager<IChatPushObserver> observers = new(Lifetime, logger);

    public void Subscribe(IChatPushObserver observer) => observers.Subscribe(observer, observer);

    public void Unsubscribe(IChatPushObserver observer) => observers.Unsubscribe(observer);

    public void Message(ChatMessage message) => observers.Notify((Action<IChatPushObserver>)(o => o.MessageAsync(conversationId, message)));

    /// <summary>Pushes the new state, and reports it to the agent's live list (one-way: the console never slows a chat).</summary>
    public void State(string agentId, string channel, string? email, string state, string? reason, DateTimeOffset at)
    {
        var change = new StateChange(state, reason, at);
        observers.Notify((Action<IChatPushObserver>)(o => o.StateAsync(conversationId, change)));
        _ = grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId))
            .ReportConversationAsync(new LiveConversation(conversationId, channel, state, reason, email, at));
    }
}
