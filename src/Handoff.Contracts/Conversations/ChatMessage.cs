namespace Handoff.Contracts.Conversations;

/// <summary>One message shown to the user, numbered per conversation from 1.</summary>
[GenerateSerializer, Immutable, Alias("handoff.chat-message")]
public sealed record ChatMessage(
    [property: Id(0)] long Seq,
    [property: Id(1)] string Id,
    [property: Id(2)] string From,
    [property: Id(3)] string Text,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] string? SenderName)
{
    public const string User = "user";
    public const string Bot = "bot";
    public const string Human = "human";
    public const string System = "system";
}

/// <summary>The <c>state</c> event: where the conversation is, and why it got there.</summary>
[GenerateSerializer, Immutable, Alias("handoff.state-change")]
public sealed record StateChange([property: Id(0)] string State, [property: Id(1)] string? Reason, [property: Id(2)] DateTimeOffset At);

[GenerateSerializer, Immutable, Alias("handoff.handoff-view")]
public sealed record HandoffView(
    [property: Id(0)] string HandoffId,
    [property: Id(1)] string State,
    [property: Id(2)] DateTimeOffset RequestedAt,
    [property: Id(3)] DateTimeOffset? OpenedAt,
    [property: Id(4)] DateTimeOffset? FirstHumanReplyAt,
    [property: Id(5)] DateTimeOffset? EndedAt,
    [property: Id(6)] string? EndReason);

[GenerateSerializer, Immutable, Alias("handoff.conversation-view")]
public sealed record ConversationView(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] string AgentId,
    [property: Id(2)] string Channel,
    [property: Id(3)] string State,
    [property: Id(4)] string? Email,
    [property: Id(5)] long LastSeq,
    [property: Id(6)] HandoffView? Handoff,
    [property: Id(7)] IReadOnlyList<ChatMessage> Messages);

/// <summary>Why a conversation call was refused; the web layer maps it to a status code or hub error.</summary>
[GenerateSerializer, Alias("handoff.conversation-refusal")]
public sealed class ConversationRefusedException(string code, string message) : Exception(message)
{
    [Id(0)] public string Code { get; } = code;

    public const string NotFound = "not-found";
    public const string Invalid = "invalid";
    public const string Ended = "ended";
}
