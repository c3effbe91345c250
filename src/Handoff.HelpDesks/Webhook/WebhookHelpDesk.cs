namespace Handoff.HelpDesks.Webhook;

/// <summary>The generic webhook protocol as an <see cref="IHelpDeskClient"/>: the desk's conversation id is our hand-off id.</summary>
public sealed class WebhookHelpDesk(IHttpClientFactory httpClients, TimeProvider time) : IHelpDeskClient
{
    public string Kind => WebhookDescriptor.KindName;

    public Task<(bool Available, string Detail)> VerifyAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken) =>
        Client().VerifyAsync(WebhookDeskSettings.From(settings), cancellationToken);

    public async Task<DeskOpened> OpenAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, HelpDeskOpening opening, CancellationToken cancellationToken)
    {
        var body = opening.Body.Select(m => new WebhookBodyItem(m.IsUser ? "QUESTION" : "ANSWER", m.Text)).ToList();
        var establish = new WebhookEstablish(opening.HandoffId, Now(), opening.Email, opening.AgentId, body,
            new WebhookUserInfo(opening.Email, opening.UserId, opening.ConversationId, null));
        await Client().EstablishAsync(WebhookDeskSettings.From(settings), establish, cancellationToken);
        return new DeskOpened(opening.HandoffId, null);
    }

    public Task SendUserMessageAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string messageId, string text, CancellationToken cancellationToken) =>
        Client().ChatAsync(WebhookDeskSettings.From(settings), new WebhookChat(deskConversationId, Now(), text, messageId), cancellationToken);

    public Task CloseAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string closeType, CancellationToken cancellationToken) =>
        Client().CloseAsync(WebhookDeskSettings.From(settings), new WebhookClose(deskConversationId, Now(), closeType), cancellationToken);

    private WebhookHelpDeskClient Client() => new(httpClients.CreateClient(WebhookHelpDeskClient.HttpClientName), time);

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
