using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Handoff.HelpDesks.Livedesk;

/// <summary>
/// EngageLab LiveDesk through an API channel (docs/helpdesks.md 4.1, 4.2, 4.5): Basic auth with the project's key
/// and secret; create the contact, create the conversation in the channel's inbox, post the transcript and later
/// messages as the contact (<c>message_type: incoming</c>, Chatwoot's enum, marked [?] in the facts), resolve to close.
/// In help-desk → help-desk mode (4.3) our bot is the API channel's agent bot: it answers with outgoing messages,
/// hands over by toggling the conversation from <c>pending</c> to <c>open</c>, and closes by resolving it.
/// </summary>
public sealed class LivedeskHelpDesk(IHttpClientFactory httpClients, IConfiguration configuration) : IHelpDeskClient, IHelpDeskMessenger
{
    /// <summary>How many of our bot's message ids are remembered per conversation, to tell them from a human's on read-back.</summary>
    private const int RememberedPosts = 50;

    public const string HttpClientName = "helpdesk-livedesk";
    public const string DefaultBaseUrl = "https://livedesk-api.engagelab.com";

    public string Kind => LivedeskDescriptor.KindName;

    public async Task<(bool Available, string Detail)> VerifyAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken)
    {
        try
        {
            var list = await SendAsync(settings, HttpMethod.Get, "api/v2/accounts/contacts?page=1&include_contact_inboxes=false", null, cancellationToken);
            if (list["payload"] is null)
            {
                return (false, "LiveDesk answered the contacts list without a payload");
            }

            var notes = new List<string>();
            if (!settings.ContainsKey("inboxId")) notes.Add("no inboxId: hand-offs need the API channel's inbox id");
            if (!settings.ContainsKey("webhookSecret")) notes.Add("no webhookSecret: webhooks are protected only by the unguessable receiving address");
            return (true, "API key accepted" + (notes.Count > 0 ? "; " + string.Join("; ", notes) : ""));
        }
        catch (HelpDeskCallException ex)
        {
            return (false, ex.Message);
        }
    }

    public async Task<DeskOpened> OpenAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, HelpDeskOpening opening, CancellationToken cancellationToken)
    {
        if (!int.TryParse(settings.GetValueOrDefault("inboxId"), NumberStyles.None, CultureInfo.InvariantCulture, out var inboxId))
        {
            throw new HelpDeskCallException("the LiveDesk connection has no inboxId (the API channel's id)");
        }

        var user = opening.UserId ?? opening.Email ?? opening.ConversationId;
        if (!session.Facts.TryGetValue("contact:" + user, out var contactId))
        {
            // The identifier keeps one LiveDesk contact per end user across hand-offs.
            var identifier = "handoff-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(opening.AgentId + "/" + user)))[..24];
            var created = await SendAsync(settings, HttpMethod.Post, "api/v2/accounts/contacts",
                new { inbox_id = inboxId, name = opening.Email ?? "Chat user", email = opening.Email, identifier }, cancellationToken);
            contactId = created["payload"]?["contact"]?["id"]?.ToString() ?? throw new HelpDeskCallException("LiveDesk created no contact id");
            session.Facts["contact:" + user] = contactId;
        }

        var conversation = await SendAsync(settings, HttpMethod.Post, "api/v2/accounts/conversations",
            new { inbox_id = inboxId, contact_id = long.Parse(contactId, CultureInfo.InvariantCulture) }, cancellationToken);
        var conversationId = conversation["id"]?.ToString() ?? throw new HelpDeskCallException("LiveDesk answered without a conversation id");

        await PostAsContactAsync(settings, conversationId, opening.Transcript(), cancellationToken);
        return new DeskOpened(conversationId, contactId);
    }

    public Task SendUserMessageAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string messageId, string text, CancellationToken cancellationToken) =>
        PostAsContactAsync(settings, deskConversationId, text, cancellationToken);

    public async Task<IReadOnlyList<HelpDeskEvent>> ReadHumanMessagesAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session,
        string deskConversationId, CancellationToken cancellationToken)
    {
        // The read route follows Chatwoot's ([?] for LiveDesk); each message is judged like its webhook would be.
        var list = await SendAsync(settings, HttpMethod.Get, $"api/v2/accounts/conversations/{deskConversationId}/messages", null, cancellationToken);
        var messages = (list["payload"] as JsonArray ?? []).OfType<JsonObject>();
        var events = new List<HelpDeskEvent>();
        foreach (var message in messages.OrderBy(m => m["id"]?.GetValue<long>() ?? 0))
        {
            var node = (JsonObject)message.DeepClone();
            node["event"] = "message_created";
            node["conversation"] ??= new JsonObject { ["id"] = deskConversationId };
            var verdict = LivedeskWebhook.Read(new Dictionary<string, string>(), null, null, null, Encoding.UTF8.GetBytes(node.ToJsonString()), DateTimeOffset.UtcNow);
            events.AddRange(verdict.Events);
        }

        // Our bot's own posts are never a human's, whatever sender LiveDesk shows for them.
        var ours = session.Facts.TryGetValue("bot-posts:" + deskConversationId, out var posted) ? posted.Split(',').ToHashSet() : [];
        return events.Where(e => e.AuthorId != LivedeskWebhook.BotAuthor && !ours.Contains(e.DedupeKey)).ToList();
    }

    public async Task CloseAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string closeType, CancellationToken cancellationToken) =>
        await SendAsync(settings, HttpMethod.Post, $"api/v2/accounts/conversations/{deskConversationId}/toggle_status", new { status = "resolved" }, cancellationToken);

    // Help-desk → help-desk mode (docs/helpdesks.md 4.3, [?] in its AgentBot details).

    /// <summary>
    /// A fixed identity, no call: the receiver drops events whose author is it, and the parser names as it what our
    /// API key posted (an <c>agent_bot</c> sender, or a message carrying our marker).
    /// </summary>
    public Task<string?> BotIdentityAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(LivedeskWebhook.BotAuthor);

    public async Task SendBotMessageAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string messageId, string text, CancellationToken cancellationToken)
    {
        // The marker in content_attributes lets the echo be known even if LiveDesk names the key's user as its sender.
        var posted = await SendAsync(settings, HttpMethod.Post, $"api/v2/accounts/conversations/{deskConversationId}/messages",
            new Dictionary<string, object>
            {
                ["content"] = text, ["message_type"] = "outgoing", ["private"] = false,
                ["content_attributes"] = new Dictionary<string, object> { [LivedeskWebhook.BotMarker] = true },
            }, cancellationToken);
        if (posted["id"]?.ToString() is { Length: > 0 } id)
        {
            session.Facts.AddOrUpdate("bot-posts:" + deskConversationId, "livedesk:" + id,
                (_, known) => string.Join(',', known.Split(',').TakeLast(RememberedPosts - 1).Append("livedesk:" + id)));
        }
    }

    /// <summary>
    /// Releases the agent bot's <c>pending</c> conversation to the humans' queue; the inbox's assignment rules pick who
    /// takes it (no settings key names a team or agent, so direct assignment is not offered).
    /// </summary>
    public async Task HandOverAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId, CancellationToken cancellationToken)
    {
        await SendAsync(settings, HttpMethod.Post, $"api/v2/accounts/conversations/{deskConversationId}/toggle_status", new { status = "open" }, cancellationToken);
        // Direct assignment where the host configures a team: Chatwoot's assignments route, not documented by LiveDesk ([?]).
        if (int.TryParse(configuration["Handoff:HelpDesks:Livedesk:HandOverTeamId"], NumberStyles.None, CultureInfo.InvariantCulture, out var teamId))
        {
            await SendAsync(settings, HttpMethod.Post, $"api/v2/accounts/conversations/{deskConversationId}/assignments", new { team_id = teamId }, cancellationToken);
        }
    }

    public Task CloseAsBotAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string closeType, CancellationToken cancellationToken) => CloseAsync(settings, session, deskConversationId, closeType, cancellationToken);

    private async Task PostAsContactAsync(IReadOnlyDictionary<string, string> settings, string conversationId, string content, CancellationToken cancellationToken) =>
        await SendAsync(settings, HttpMethod.Post, $"api/v2/accounts/conversations/{conversationId}/messages",
            new { content, message_type = "incoming", @private = false }, cancellationToken);

    private async Task<JsonNode> SendAsync(IReadOnlyDictionary<string, string> settings, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var baseUrl = (settings.GetValueOrDefault("baseUrl") ?? configuration["Handoff:HelpDesks:Livedesk:BaseUrl"] ?? DefaultBaseUrl).TrimEnd('/');
        using var request = new HttpRequestMessage(method, $"{baseUrl}/{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings["apiKey"]}:{settings["apiSecret"]}")));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await HelpDeskHttp.SendJsonAsync(httpClients.CreateClient(HttpClientName), request, "LiveDesk", $"{method} /{path.Split('?')[0]}",
            status => status == HttpStatusCode.Unauthorized ? "the API key or secret was refused" : null, cancellationToken);
    }
}
