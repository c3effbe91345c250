using Orleans.Concurrency;
using Handoff.Contracts.Realtime;

namespace Handoff.Contracts.Conversations;

/// <summary>The conversation's limits that callers rely on (API.md 4a: <c>Join</c> returns the last 500 messages).</summary>
public static class ConversationLimits
{
    public const int JoinWindow = 500;
    public const int MaxTextLength = 4000;
}

/// <summary>The outcome of a hand-off request, as the bot's tool and the REST API report it.</summary>
[GenerateSerializer, Immutable, Alias("handoff.request-outcome")]
public sealed record HandoffOutcome([property: Id(0)] string Outcome, [property: Id(1)] string? HandoffId);

[GenerateSerializer, Immutable, Alias("handoff.desk-answer")]
public sealed record DeskAnswer([property: Id(0)] IReadOnlyList<string> Replies, [property: Id(1)] bool Forward);

[GenerateSerializer, Immutable, Alias("handoff.send-result")]
public sealed record SendResult([property: Id(0)] long Seq, [property: Id(1)] bool Duplicate);

/// <summary>A human's message or close, as a help-desk reported it.</summary>
[GenerateSerializer, Immutable, Alias("handoff.human-event")]
public sealed record HumanEvent(
    [property: Id(0)] string HandoffId,
    [property: Id(1)] string Kind,
    [property: Id(2)] string? Text,
    [property: Id(3)] string? ExternalId,
    [property: Id(4)] string? SenderName,
    [property: Id(5)] DateTimeOffset At)
{
    public const string Message = "message";
    public const string Closed = "closed";
    public const string Snoozed = "snoozed";
    public const string Read = "read";

    /// <summary>The desk gave up: no human took the conversation.</summary>
    public const string Missed = "missed";
}

/// <summary>
/// One chat conversation: its messages (numbered), its hand-off state machine, its timeouts and its outbox to
/// the help-desk. Key: the conversation id.
/// </summary>
[Alias("handoff.conversation")]
public interface IConversationGrain : IGrainWithStringKey
{
    [Alias("create")] Task CreateAsync(string agentId, string channel, string? email, string? userId);

    /// <summary>Creates the conversation of a desk's own messenger (help-desk → help-desk mode): channel = the desk's kind.</summary>
    [Alias("create-in-desk")] Task CreateInDeskAsync(string agentId, string kind, string deskConversationId);

    /// <summary>The end user wrote in the desk's messenger; <paramref name="externalId"/> is the desk's id of the message (dedupe key).</summary>
    /// <param name="email">The e-mail the desk knows for its user, if its payload named one.</param>
    [Alias("desk-user-message")] Task<SendResult> ReceiveDeskUserMessageAsync(string text, string externalId, string? email);

    /// <summary>
    /// For desks that take the bot's words only in their webhook's answer (SalesIQ's Zobot): what is waiting to be
    /// said, and whether to forward the conversation to the desk's humans. Taking it empties it.
    /// </summary>
    [Alias("take-desk-answer")] Task<DeskAnswer> TakeDeskAnswerAsync();

    /// <summary>
    /// Completes when the bot has answered the user's messages up to <paramref name="seq"/> (bot turns run after the
    /// message is acknowledged); for desks that take the bot's words only in their webhook's answer.
    /// </summary>
    [AlwaysInterleave, Alias("wait-for-bot")] Task WaitForBotAsync(long seq);
    [Alias("view")] Task<ConversationView> GetAsync(int lastMessages);
    [Alias("resume")] Task<IReadOnlyList<ChatMessage>> ResumeAsync(long afterSeq);
    [Alias("send")] Task<SendResult> SendUserMessageAsync(string text, string? clientMessageId);
    [Alias("bot-message")] Task<SendResult> AddBotMessageAsync(string text, string? clientMessageId);
    [Alias("set-email")] Task SetEmailAsync(string email);
    [Alias("request-handoff")] Task<HandoffOutcome> RequestHandoffAsync(string? reason);
    [Alias("keep-waiting")] Task KeepWaitingAsync();
    [Alias("end-handoff")] Task EndHandoffByUserAsync();
    [Alias("human-event")] Task<bool> ReceiveHumanEventAsync(HumanEvent humanEvent);
    [Alias("subscribe")] Task SubscribeAsync(IChatPushObserver observer);
    [Alias("unsubscribe")] Task UnsubscribeAsync(IChatPushObserver observer);

    /// <summary>The agent's settings changed: the snapshot this activation holds is stale from <paramref name="version"/> on.</summary>
    [OneWay, Alias("agent-changed")] Task AgentChangedAsync(long version);
}

/// <summary>Maps a hand-off id (what a help-desk sees) to its conversation. Key: the hand-off id.</summary>
[Alias("handoff.handoff-link")]
public interface IHandoffLinkGrain : IGrainWithStringKey
{
    [Alias("set")] Task SetAsync(string agentId, string conversationId);
    [Alias("set-desk")] Task SetAsync(HandoffLink link);
    [Alias("get")] Task<HandoffLink?> GetAsync();

    /// <summary>
    /// For a conversation of a desk's own messenger (key: <see cref="HandoffLinks.ForDesk"/>): our conversation for it,
    /// made on first sight, so the same desk conversation never becomes two of ours.
    /// </summary>
    [Alias("ensure-desk-conversation")] Task<HandoffLink> EnsureDeskConversationAsync(string agentId, string kind, string deskConversationId);
}

[GenerateSerializer, Immutable, Alias("handoff.handoff-link-value")]
public sealed record HandoffLink(
    [property: Id(0)] string AgentId,
    [property: Id(1)] string ConversationId,
    [property: Id(2)] string? HandoffId = null,
    [property: Id(3)] string? DeskUserId = null);

public static class HandoffLinks
{
    /// <summary>The link key of a help-desk's own conversation id (kinds whose desk ids are not our hand-off ids).</summary>
    public static string ForDesk(string kind, string agentId, string deskConversationId) => $"{kind}:{agentId}:{deskConversationId}";
}
