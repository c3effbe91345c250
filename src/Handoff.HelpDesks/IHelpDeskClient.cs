using System.Collections.Concurrent;

namespace Handoff.HelpDesks;

/// <summary>What a help-desk receives when a hand-off opens: who the user is, the history and the current question.</summary>
public sealed record HelpDeskOpening(
    string AgentId,
    string ConversationId,
    string HandoffId,
    string? Email,
    string? UserId,
    IReadOnlyList<(bool IsUser, string Text)> Body)
{
    /// <summary>The history and current question as plain text, for desks that take one message (no HTML).</summary>
    public string Transcript() =>
        string.Join('\n', Body.Select(m => (m.IsUser ? "User: " : "Bot: ") + m.Text).Prepend("Transcript:"));
}

/// <param name="ConversationId">The desk's conversation (chat) id.</param>
/// <param name="UserId">The desk's id of our user, where its webhooks name authors: events by it are our own echoes.</param>
public sealed record DeskOpened(string ConversationId, string? UserId);

/// <summary>
/// What a help-desk client learns and may reuse while its connection's settings stay the same (an admin id, a
/// contact id per user, a customer token and its expiry). Held in memory by the connection's help-desk grain.
/// </summary>
public sealed class HelpDeskSession
{
    public ConcurrentDictionary<string, string> Facts { get; } = new();

    /// <summary>Serialises what must happen once at a time per connection (a token refresh) in the reentrant grain.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);
}

/// <summary>
/// One help-desk kind's API, from our side: check the credentials, open a conversation for a user, send the user's
/// later messages, close. Failures throw <see cref="HelpDeskCallException"/>.
/// </summary>
public interface IHelpDeskClient
{
    string Kind { get; }

    Task<(bool Available, string Detail)> VerifyAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken);

    /// <returns>The help-desk's own ids of the conversation it opened and of the user; later calls and its webhooks name them.</returns>
    Task<DeskOpened> OpenAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, HelpDeskOpening opening, CancellationToken cancellationToken);

    Task SendUserMessageAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string messageId, string text, CancellationToken cancellationToken);

    /// <summary>
    /// For desks whose webhooks may be lost (<see cref="HelpDeskCapabilities.MayLoseWebhooks"/>: sent once, no retry): the human's messages of the conversation as the
    /// desk holds them, oldest first, with the same dedupe keys its webhooks carry. Desks that retry need not.
    /// </summary>
    Task<IReadOnlyList<HelpDeskEvent>> ReadHumanMessagesAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session,
        string deskConversationId, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<HelpDeskEvent>>([]);

    /// <param name="closeType"><c>TIMEOUT</c> or <c>USER_CLOSED</c>.</param>
    Task CloseAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string closeType, CancellationToken cancellationToken);
}

/// <summary>A choice the operator makes from the desk's own list (a department as the "service group").</summary>
public sealed record HelpDeskChoice(string Id, string Name);

/// <summary>Desks whose API access is granted by the operator in the desk's own OAuth consent page.</summary>
public interface IHelpDeskAuthorization
{
    /// <summary>Exchanges the authorisation code; answers the keys to store (sealed) with the connection.</summary>
    Task<IReadOnlyDictionary<string, string>> ExchangeCodeAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session,
        string code, string redirectUri, CancellationToken cancellationToken);

    /// <summary>Registers (or updates) the desk's webhook at our receiving address.</summary>
    Task RegisterWebhookAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string receivingAddress, CancellationToken cancellationToken);
}

/// <summary>Desks where the operator picks the department (service group) that takes the conversations.</summary>
public interface IHelpDeskDepartments
{
    Task<IReadOnlyList<HelpDeskChoice>> ListDepartmentsAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken);
}

/// <summary>
/// Desks whose own messenger hosts our bot (help-desk → help-desk mode): the bot answers inside the desk's
/// conversation, hands it to the desk's humans, and closes it when our side ends the hand-off.
/// </summary>
public interface IHelpDeskMessenger
{
    /// <summary>The bot's identity at the desk (Intercom: the token's admin id): what the desk names as the author of our bot's echoes.</summary>
    Task<string?> BotIdentityAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken);

    Task SendBotMessageAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string messageId, string text, CancellationToken cancellationToken);

    /// <summary>Gives the conversation to the desk's humans (a team assignment, a transfer, a status change).</summary>
    Task HandOverAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId, CancellationToken cancellationToken);

    Task CloseAsBotAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string closeType, CancellationToken cancellationToken);
}

/// <summary>
/// Messenger desks whose bot must be set up at the desk before help-desk → help-desk mode works (LiveChat: a bot
/// agent and its webhooks). Called when the connection is verified in that mode; must be safe to repeat.
/// </summary>
public interface IHelpDeskMessengerSetup
{
    /// <returns>Whether the mode can work, and what was set up or what is missing.</returns>
    Task<(bool Available, string Detail)> PrepareMessengerAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session,
        string receivingAddress, CancellationToken cancellationToken);
}
