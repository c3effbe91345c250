using Handoff.Contracts.Agents;

namespace Handoff.Grains.HelpDesks;

/// <summary>What a conversation sends to its agent's help-desk when it opens a hand-off.</summary>
public sealed record HandoffOpening(
    string AgentId,
    string ConversationId,
    string HandoffId,
    string? Email,
    string? UserId,
    IReadOnlyList<(bool IsUser, string Text)> Body);

/// <summary>
/// The conversation grain's one way out to any help-desk kind. Failures throw
/// <see cref="Handoff.HelpDesks.HelpDeskCallException"/>; the grain decides what that means for the user.
/// </summary>
public interface IHelpDeskGateway
{
    Task OpenAsync(HelpDeskConnection connection, HandoffOpening opening, CancellationToken cancellationToken);
    Task SendUserMessageAsync(HelpDeskConnection connection, string handoffId, string messageId, string text, CancellationToken cancellationToken);

    /// <param name="closeType"><c>TIMEOUT</c> or <c>USER_CLOSED</c>.</param>
    Task CloseAsync(HelpDeskConnection connection, string handoffId, string closeType, CancellationToken cancellationToken);

    Task<(bool Available, string Detail)> VerifyAsync(HelpDeskConnection connection, CancellationToken cancellationToken);
}
