namespace Handoff.HelpDesks;

/// <summary>What a verified help-desk webhook means for one of our conversations.</summary>
/// <param name="AuthorId">The desk's id of who wrote or did it, where the desk names one: events by our own bot are echoes.</param>
/// <param name="UserEmail">For a user's message: the e-mail the desk knows for that user, where its payload says.</param>
public sealed record HelpDeskEvent(HelpDeskEventKind Kind, string DeskConversationId, string? Text, string? SenderName, string DedupeKey,
    string? AuthorId = null, string? UserEmail = null);

public enum HelpDeskEventKind
{
    HumanMessage,

    /// <summary>The end user wrote in the desk's own messenger (help-desk → help-desk mode; ignored otherwise).</summary>
    UserMessage,
    HumanEnded,

    /// <summary>The desk gave up: no human took the conversation (SalesIQ's <c>conversation.missed</c>).</summary>
    Missed,

    /// <summary>The human will be back later (e.g. Intercom's snooze): a system message, no state change.</summary>
    Snoozed,
    Read,
    Typing,
}

/// <summary>The answer of a webhook parser: a verdict on the request, and what it says when it is accepted.</summary>
/// <param name="Batch">
/// The call carries other conversations' traffic too (a Sobot forwarding batch): an item for a conversation that is
/// not ours, or has ended, is skipped and counted instead of failing the call, which the desk would send again.
/// </param>
public sealed record WebhookVerdict(int Status, string? Problem, IReadOnlyList<HelpDeskEvent> Events, bool Batch = false)
{
    public static WebhookVerdict Unauthorized(string why) => new(401, why, []);
    public static WebhookVerdict Malformed(string why) => new(400, why, []);
    public static WebhookVerdict Accepted(params HelpDeskEvent[] events) => new(200, null, events);
}
