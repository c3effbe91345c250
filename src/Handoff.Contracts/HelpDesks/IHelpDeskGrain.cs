using Handoff.Contracts.Agents;

namespace Handoff.Contracts.HelpDesks;

[GenerateSerializer, Immutable, Alias("handoff.helpdesk-check")]
public sealed record HelpDeskCheck([property: Id(0)] bool Available, [property: Id(1)] string Detail);

[GenerateSerializer, Immutable, Alias("handoff.helpdesk-opening")]
public sealed record HelpDeskOpeningRequest(
    [property: Id(0)] string AgentId,
    [property: Id(1)] string ConversationId,
    [property: Id(2)] string HandoffId,
    [property: Id(3)] string? Email,
    [property: Id(4)] string? UserId,
    [property: Id(5)] IReadOnlyList<HistoryItem> Body);

[GenerateSerializer, Immutable, Alias("handoff.history-item")]
public sealed record HistoryItem([property: Id(0)] bool IsUser, [property: Id(1)] string Text);

/// <summary>A human message read back from the desk (for desks whose webhooks can be lost).</summary>
[GenerateSerializer, Immutable, Alias("handoff.missed-human-message")]
public sealed record MissedHumanMessage([property: Id(0)] string Text, [property: Id(1)] string? SenderName, [property: Id(2)] string DedupeKey);

[GenerateSerializer, Immutable, Alias("handoff.desk-conversation")]
public sealed record DeskConversation(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] string? UserId,
    [property: Id(2)] bool ReadBackWhenQuiet = false);

/// <summary>A help-desk call that did not succeed; the conversation decides what it means for the user.</summary>
[GenerateSerializer, Alias("handoff.helpdesk-failed")]
public sealed class HelpDeskFailedException(string message, int? statusCode) : Exception(message)
{
    [Id(0)] public int? StatusCode { get; } = statusCode;
}

/// <summary>
/// One agent's help-desk connection at work: keeps what its client learns (ids, tokens) while the settings stay
/// the same, and makes the calls. Reentrant, so many conversations of one agent do not queue behind each other.
/// Key: <see cref="AgentKeys.For"/> of the agent.
/// </summary>
[Alias("handoff.helpdesk")]
public interface IHelpDeskGrain : IGrainWithStringKey
{
    /// <summary>Verifies the agent's stored connection with the desk and records the status on the agent (bounded: 10 s).</summary>
    [Alias("verify-connection")] Task<HelpDeskConnection?> VerifyConnectionAsync();

    /// <summary>
    /// The connection for a hand-off: an unavailable one is verified again first, at most once per
    /// <paramref name="recheckUnavailableAfter"/> and once at a time, so a desk that came back is used without an operator.
    /// </summary>
    [Alias("connection-for-handoff")] Task<HelpDeskConnection?> ConnectionForHandoffAsync(TimeSpan recheckUnavailableAfter);
    [Alias("open")] Task<DeskConversation> OpenAsync(HelpDeskConnection connection, HelpDeskOpeningRequest opening);
    [Alias("send")] Task SendUserMessageAsync(HelpDeskConnection connection, string deskConversationId, string messageId, string text);
    [Alias("read-human")] Task<IReadOnlyList<MissedHumanMessage>> ReadHumanMessagesAsync(HelpDeskConnection connection, string deskConversationId);
    [Alias("close")] Task CloseAsync(HelpDeskConnection connection, string deskConversationId, string closeType);

    /// <summary>
    /// Completes a desk's OAuth consent: exchanges the code, has the agent store the grant (sealed), and registers
    /// the desk's webhook at <paramref name="receivingAddress"/>. Answers whether all of it worked, and why not.
    /// </summary>
    [Alias("authorize")] Task<HelpDeskCheck> AuthorizeAsync(HelpDeskConnection connection, string code, string redirectUri, string receivingAddress);

    /// <summary>Registers or updates the desk's webhook at our receiving address (desks we register with ourselves).</summary>
    [Alias("register-webhook")] Task<HelpDeskCheck> RegisterWebhookAsync(HelpDeskConnection connection, string receivingAddress);

    /// <summary>The bot's identity in the desk's messenger (events it authored are echoes); null where the desk names none.</summary>
    [Alias("bot-identity")] Task<string?> BotIdentityAsync(HelpDeskConnection connection);

    [Alias("send-bot")] Task SendBotMessageAsync(HelpDeskConnection connection, string deskConversationId, string messageId, string text);

    /// <summary>Gives a conversation of the desk's messenger to the desk's humans.</summary>
    [Alias("hand-over")] Task HandOverAsync(HelpDeskConnection connection, string deskConversationId);

    [Alias("close-as-bot")] Task CloseAsBotAsync(HelpDeskConnection connection, string deskConversationId, string closeType);

    /// <summary>
    /// Sets up what help-desk → help-desk mode needs at the desk (a bot, its webhooks at <paramref name="receivingAddress"/>),
    /// idempotently; null for desks that need nothing beyond the plain verification.
    /// </summary>
    [Alias("prepare-messenger")] Task<HelpDeskCheck?> PrepareMessengerAsync(HelpDeskConnection connection, string receivingAddress);

    /// <summary>The desk's departments (service groups) for the operator's picker.</summary>
    [Alias("departments")] Task<IReadOnlyList<HelpDeskDepartment>> ListDepartmentsAsync(HelpDeskConnection connection);
}

[GenerateSerializer, Immutable, Alias("handoff.helpdesk-department")]
public sealed record HelpDeskDepartment([property: Id(0)] string Id, [property: Id(1)] string Name);
