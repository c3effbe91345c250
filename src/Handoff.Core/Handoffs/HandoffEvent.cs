namespace Handoff.Core.Handoffs;

/// <summary>Something that happened to a conversation, as the hand-off rules take it.</summary>
public abstract record HandoffEvent;

/// <summary>The bot's tool, the user's button or the API asked for a human.</summary>
/// <param name="NewHandoffId">The id the attempt gets if one starts (made by the caller: the rules make no randomness).</param>
public sealed record HandoffRequested(string NewHandoffId, string? Reason, long? QuestionSeq) : HandoffEvent;

/// <summary>The user wrote a message, stored with <paramref name="Seq"/>.</summary>
public sealed record UserWrote(long Seq, string MessageId, string Text) : HandoffEvent;

/// <summary>The user's e-mail became known (already checked and normalised).</summary>
public sealed record EmailGiven(string Email) : HandoffEvent;

public sealed record DeskOpened(string HandoffId, string DeskConversationId, bool ReadBackWhenQuiet) : HandoffEvent;

public sealed record DeskOpenFailed(string HandoffId) : HandoffEvent;

/// <summary>The user answered the wait-timeout prompt: keep waiting.</summary>
public sealed record KeepWaitingChosen : HandoffEvent;

public sealed record UserEndedHandoff : HandoffEvent;

/// <summary>A human's message, already stored (duplicates never get here).</summary>
public sealed record HumanWrote : HandoffEvent;

public sealed record HumanClosed : HandoffEvent;

/// <summary>The desk's own wait ran out with nobody taking the conversation; the desk has closed it already.</summary>
public sealed record DeskMissed : HandoffEvent;

/// <summary>A timer, the reminder or an activation saw the clock pass the stored deadline (it may see it twice).</summary>
public sealed record DeadlineReached : HandoffEvent;

/// <summary>The bot has been given the note that a human handled part of the conversation.</summary>
public sealed record BotInformed : HandoffEvent;
