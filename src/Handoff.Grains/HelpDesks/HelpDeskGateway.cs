using Handoff.Contracts.Agents;
using Handoff.HelpDesks;
using Handoff.HelpDesks.Webhook;

namespace Handoff.Grains.HelpDesks;

/// <summary>Dispatches help-desk calls by connection kind. Only the generic webhook kind is built so far.</summary>
public sealed class HelpDeskGateway(IHttpClientFactory httpClients, TimeProvider time) : IHelpDeskGateway
{
    public Task OpenAsync(HelpDeskConnection connection, HandoffOpening opening, CancellationToken cancellationToken)
    {
        var body = opening.Body.Select(m => new WebhookBodyItem(m.IsUser ? "QUESTION" : "ANSWER", m.Text)).ToList();
        var establish = new WebhookEstablish(opening.HandoffId, Now(), opening.Email, opening.AgentId, body,
            new WebhookUserInfo(opening.Email, opening.UserId, opening.ConversationId, null));
        return Webhook(connection).EstablishAsync(WebhookDeskSettings.From(connection.Settings), establish, cancellationToken);
    }

    public Task SendUserMessageAsync(HelpDeskConnection connection, string handoffId, string messageId, string text, CancellationToken cancellationToken) =>
        Webhook(connection).ChatAsync(WebhookDeskSettings.From(connection.Settings), new WebhookChat(handoffId, Now(), text, messageId), cancellationToken);

    public Task CloseAsync(HelpDeskConnection connection, string handoffId, string closeType, CancellationToken cancellationToken) =>
        Webhook(connection).CloseAsync(WebhookDeskSettings.From(connection.Settings), new WebhookClose(handoffId, Now(), closeType), cancellationToken);

    public Task<(bool Available, string Detail)> VerifyAsync(HelpDeskConnection connection, CancellationToken cancellationToken) =>
        Webhook(connection).VerifyAsync(WebhookDeskSettings.From(connection.Settings), cancellationToken);

    private WebhookHelpDeskClient Webhook(HelpDeskConnection connection) => connection.Kind == "webhook"
        ? new WebhookHelpDeskClient(httpClients.CreateClient(WebhookHelpDeskClient.HttpClientName), time)
        : throw new HelpDeskCallException($"help-desk kind '{connection.Kind}' is not built yet");

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
