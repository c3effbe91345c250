namespace Handoff.Core.Handoffs;

/// <summary>One hand-off attempt of a conversation, from the request to its end.</summary>
/// <param name="CurrentQuestionSeq">The user message that led to the request, if one did: it goes last in the desk's history.</param>
/// <param name="DeskConversationId">The desk's own id of the conversation it opened (the hand-off id for the webhook kind).</param>
/// <param name="ReadBackWhenQuiet">The desk may lose webhooks: a quiet hand-off reads its conversation back.</param>
public sealed record HandoffAttempt(
    string HandoffId,
    HandoffStage Stage,
    DateTimeOffset RequestedAt,
    long? CurrentQuestionSeq = null,
    string? Reason = null,
    DateTimeOffset? OpenedAt = null,
    DateTimeOffset? FirstHumanReplyAt = null,
    DateTimeOffset? EndedAt = null,
    EndReason? EndReason = null,
    string? DeskConversationId = null,
    bool ReadBackWhenQuiet = false)
{
    public bool IsActive => Stage != HandoffStage.Ended;
}

/// <summary>
/// What the hand-off rules read and change of a conversation. The grain persists it; the rules never do I/O.
/// </summary>
/// <param name="Deadline">When the running timeout (wait, prompt or session, by stage) expires.</param>
/// <param name="EndReasonForBot">How the last hand-off ended, until the bot has been told that a human handled part of it.</param>
/// <param name="InDeskMessenger">The conversation is a desk messenger's own (help-desk → help-desk mode).</param>
public sealed record HandoffState(
    HandoffAttempt? Handoff = null,
    DateTimeOffset? Deadline = null,
    string? Email = null,
    EndReason? EndReasonForBot = null,
    bool InDeskMessenger = false)
{
    public HandoffAttempt? Active => Handoff is { IsActive: true } h ? h : null;

    public ChatState ChatState => Active?.Stage switch
    {
        null => ChatState.Bot,
        HandoffStage.AwaitingEmail => ChatState.AwaitingEmail,
        HandoffStage.WaitTimeoutPrompt => ChatState.WaitTimeoutPrompt,
        HandoffStage.WithHuman => ChatState.WithHuman,
        _ => ChatState.WaitingForHuman,
    };
}
