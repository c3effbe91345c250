using Orleans.Concurrency;
using Handoff.Contracts.Conversations;

namespace Handoff.Contracts.Realtime;

/// <summary>
/// One per web node: a conversation grain calls it to reach the SignalR connections that node holds for the
/// conversation, wherever the grain runs. Best effort: clients resume by <c>seq</c> after any gap.
/// </summary>
[Alias("handoff.chat-push")]
public interface IChatPushObserver : IGrainObserver
{
    [OneWay, Alias("message")] Task MessageAsync(string conversationId, ChatMessage message);
    [OneWay, Alias("state")] Task StateAsync(string conversationId, StateChange state);
    [OneWay, Alias("typing")] Task TypingAsync(string conversationId, string from);
    [OneWay, Alias("read")] Task ReadAsync(string conversationId, long upToSeq);
}
