using Handoff.Core.Handoffs;

namespace Handoff.Grains.Conversations;

/// <summary>
/// What a conversation grain persists. Small on purpose: messages live in the transcript store, so a message
/// never rewrites this record; it changes with the hand-off state, the deadline and the outbox.
/// </summary>
[GenerateSerializer, Alias("handoff.conversation-state")]
public sealed class ConversationState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string AgentId { get; set; } = "";
    [Id(2)] public string Channel { get; set; } = "";
    [Id(3)] public string? Email { get; set; }
    [Id(4)] public string? UserId { get; set; }
    [Id(5)] public DateTimeOffset CreatedAt { get; set; }
    [Id(6)] public HandoffRecord? Handoff { get; set; }

    /// <summary>When the running timeout (wait, prompt or session, by hand-off state) expires.</summary>
    [Id(7)] public DateTimeOffset? Deadline { get; set; }

    /// <summary>Calls to the help-desk not yet acknowledged, oldest first; delivered strictly in this order.</summary>
    [Id(8)] public List<OutboxItem> Outbox { get; set; } = [];

    /// <summary>How the last hand-off ended, until the bot has been told that a human handled part of it.</summary>
    [Id(9)] public string? EndReasonForBot { get; set; }

    /// <summary>For a conversation of a desk's own messenger (help-desk → help-desk mode): the desk's conversation id.</summary>
    [Id(10)] public string? DeskConversationId { get; set; }

    /// <summary>For desks that take the bot's words only in their webhook's answer: what waits for the next answer.</summary>
    [Id(11)] public List<string> PendingDeskReplies { get; set; } = [];

    /// <summary>The next answer forwards the conversation to the desk's humans (SalesIQ's <c>forward</c> action).</summary>
    [Id(12)] public bool ForwardPending { get; set; }

    /// <summary>The last texts given in those answers: if the desk reports them as an operator's, they are our echo.</summary>
    [Id(13)] public List<string> RecentDeskAnswers { get; set; } = [];

    /// <summary>What the hand-off rules see of this state.</summary>
    public HandoffState ToMachine() => new(Handoff?.ToAttempt(), Deadline, Email, HandoffNames.EndReasonOf(EndReasonForBot), DeskConversationId is not null);

    /// <summary>Takes the rules' new state; the hand-off record is replaced, never changed in place, so a failed write can be undone.</summary>
    public void Take(HandoffState next)
    {
        Handoff = next.Handoff is { } h ? HandoffRecord.From(h) : null;
        Deadline = next.Deadline;
        Email = next.Email;
        EndReasonForBot = next.EndReasonForBot is { } r ? HandoffNames.Of(r) : null;
    }
}

/// <summary>The stored form of a <see cref="HandoffAttempt"/>; names as docs/api.md spells them, "opening" while the desk is asked.</summary>
[GenerateSerializer, Alias("handoff.handoff-record")]
public sealed class HandoffRecord
{
    [Id(0)] public string HandoffId { get; set; } = "";
    [Id(1)] public string State { get; set; } = "";
    [Id(2)] public DateTimeOffset RequestedAt { get; set; }
    [Id(3)] public DateTimeOffset? OpenedAt { get; set; }
    [Id(4)] public DateTimeOffset? FirstHumanReplyAt { get; set; }
    [Id(5)] public DateTimeOffset? EndedAt { get; set; }
    [Id(6)] public string? EndReason { get; set; }
    [Id(7)] public long? CurrentQuestionSeq { get; set; }
    [Id(8)] public string? Reason { get; set; }

    /// <summary>The help-desk's own id of the conversation it opened (the hand-off id for the webhook kind).</summary>
    [Id(9)] public string? DeskConversationId { get; set; }

    /// <summary>The desk may lose webhooks: a quiet hand-off reads its conversation back.</summary>
    [Id(10)] public bool ReadBackWhenQuiet { get; set; }

    public HandoffAttempt ToAttempt() => new(HandoffId, HandoffNames.StageOf(State), RequestedAt, CurrentQuestionSeq, Reason, OpenedAt,
        FirstHumanReplyAt, EndedAt, HandoffNames.EndReasonOf(EndReason), DeskConversationId, ReadBackWhenQuiet);

    public static HandoffRecord From(HandoffAttempt a) => new()
    {
        HandoffId = a.HandoffId, State = HandoffNames.Stored(a.Stage), RequestedAt = a.RequestedAt, OpenedAt = a.OpenedAt,
        FirstHumanReplyAt = a.FirstHumanReplyAt, EndedAt = a.EndedAt, EndReason = a.EndReason is { } r ? HandoffNames.Of(r) : null,
        CurrentQuestionSeq = a.CurrentQuestionSeq, Reason = a.Reason, DeskConversationId = a.DeskConversationId, ReadBackWhenQuiet = a.ReadBackWhenQuiet,
    };
}

/// <summary>One call to the help-desk waiting in the outbox.</summary>
[GenerateSerializer, Alias("handoff.outbox-item")]
public sealed class OutboxItem
{
    public const string Chat = "chat";
    public const string Close = "close";

    /// <summary>A bot or service message posted into the desk's messenger as the bot (help-desk → help-desk mode).</summary>
    public const string BotReply = "bot-reply";

    [Id(0)] public string Kind { get; set; } = Chat;
    [Id(1)] public string HandoffId { get; set; } = "";
    [Id(2)] public string MessageId { get; set; } = "";
    [Id(3)] public string? Text { get; set; }
    [Id(4)] public string? CloseType { get; set; }
    [Id(5)] public int Attempts { get; set; }
    [Id(6)] public string? DeskConversationId { get; set; }
}
