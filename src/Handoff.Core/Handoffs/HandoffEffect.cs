namespace Handoff.Core.Handoffs;

/// <summary>Something the conversation must carry out after a decision; the rules only name it.</summary>
public abstract record HandoffEffect;

/// <summary>Make the hand-off id lead to this conversation before anybody outside can name it (runs before the state is saved).</summary>
public sealed record RegisterHandoff(string HandoffId) : HandoffEffect;

/// <summary>A system message with one of the agent's service texts.</summary>
public sealed record Say(ServiceText Text) : HandoffEffect;

/// <summary>Tell the chat clients (and the operator's live list) the new state.</summary>
public sealed record AnnounceState(ChatState State, EndReason? Reason) : HandoffEffect;

/// <summary>Ask the desk to open (or, inside its messenger, take over) the conversation; answer with <see cref="DeskOpened"/> or <see cref="DeskOpenFailed"/>.</summary>
public sealed record OpenDesk(string HandoffId) : HandoffEffect;

/// <summary>Queue the user's message for the desk (durable, ordered outbox).</summary>
public sealed record ForwardToDesk(string HandoffId, string MessageId, string Text) : HandoffEffect;

/// <summary>Queue the close of the desk's conversation (durable, ordered outbox, after what was queued before).</summary>
public sealed record CloseAtDesk(string HandoffId, DeskCloseType Type) : HandoffEffect;

/// <summary>Let the bot answer the user's message (after the message has been acknowledged).</summary>
public sealed record RunBotTurn(long Seq) : HandoffEffect;

/// <summary>The new state and what to carry out, in order.</summary>
public sealed record HandoffDecision(HandoffState State, IReadOnlyList<HandoffEffect> Effects)
{
    public static HandoffDecision Unchanged(HandoffState state) => new(state, []);
}
