using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Handoff.HelpDesks.LiveChat;

/// <summary>
/// LiveChat's Customer Chat API as our help-desk client (docs/helpdesks.md section 2): a customer identity per end
/// user through the accounts cookie grant (its cookies replayed, so the same user stays the same customer across
/// hand-offs), <c>update_customer</c>, <c>start_chat</c> with the transcript, <c>send_event</c>, <c>deactivate_chat</c>.
/// Tokens are refreshed before they expire and once more when the API says they have.
/// In help-desk → help-desk mode (docs/helpdesks.md 2.4) the bot is a LiveChat bot agent owned by the app's client id:
/// the Agent Chat API with the operator's agent access token, acting as the bot through <c>X-Author-Id</c>.
/// </summary>
public sealed class LiveChatHelpDesk(IHttpClientFactory httpClients, IConfiguration configuration, TimeProvider time)
    : IHelpDeskClient, IHelpDeskMessenger, IHelpDeskMessengerSetup
{
    /// <summary>The name our bot agent has in LiveChat: how it is found again when the session was lost.</summary>
    public const string BotName = "Handoff bot";

    /// <summary>The bot webhooks the mode needs; <c>chat_deactivated</c> too, for chats the bot still holds.</summary>
    public static readonly string[] BotWebhookActions = ["incoming_chat", "incoming_event", "chat_deactivated"];

    public const string HttpClientName = "helpdesk-livechat";
    public const string DefaultVersion = "3.6";
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    public string Kind => LiveChatDescriptor.KindName;

    public async Task<(bool Available, string Detail)> VerifyAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken)
    {
        try
        {
            // A customer token is issued only for a valid client id and organization.
            await TokenAsync(settings, session, "verify", forceNew: true, cancellationToken);
            var unsigned = settings.ContainsKey("webhookSecretKey") ? "" : "; no webhookSecretKey: webhooks are protected only by the unguessable receiving address";
            return (true, "customer token issued" + unsigned);
        }
        catch (HelpDeskCallException ex)
        {
            return (false, ex.Message);
        }
    }

    public async Task<DeskOpened> OpenAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, HelpDeskOpening opening, CancellationToken cancellationToken)
    {
        var user = opening.Email ?? opening.UserId ?? opening.ConversationId;
        if (opening.Email is { } email)
        {
            await CallAsync(settings, session, user, "update_customer", new { email }, cancellationToken);
        }

        var groupId = GroupId(settings);
        var started = await CallAsync(settings, session, user, "start_chat", new
        {
            chat = new
            {
                access = new { group_ids = new[] { groupId } },
                thread = new { events = new[] { new { type = "message", visibility = "all", text = opening.Transcript() } } },
            },
            continuous = false,
        }, cancellationToken);
        var chatId = started["chat_id"]?.ToString() ?? throw new HelpDeskCallException("LiveChat answered start_chat without a chat_id");
        session.Facts["user-of:" + chatId] = user;
        return new DeskOpened(chatId, session.Facts.GetValueOrDefault("entity:" + user));
    }

    public async Task SendUserMessageAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string messageId, string text, CancellationToken cancellationToken) =>
        await CallAsync(settings, session, UserOf(session, deskConversationId), "send_event",
            new { chat_id = deskConversationId, @event = new { type = "message", text, visibility = "all", custom_id = messageId } }, cancellationToken);

    public async Task CloseAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string closeType, CancellationToken cancellationToken) =>
        await CallAsync(settings, session, UserOf(session, deskConversationId), "deactivate_chat", new { id = deskConversationId }, cancellationToken);

    // Help-desk → help-desk mode: the bot agent answers, transfers to the humans' group, deactivates.

    public async Task<(bool Available, string Detail)> PrepareMessengerAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session,
        string receivingAddress, CancellationToken cancellationToken)
    {
        if (!settings.ContainsKey("agentAccessToken"))
        {
            return (false, "help-desk → help-desk mode needs agentAccessToken: the bot is a LiveChat bot agent that answers, transfers and "
                + "closes chats through the Agent Chat API (token scopes for chats, bots and webhooks; see the README)");
        }

        var botId = await BotIdAsync(settings, session, cancellationToken);
        var routing = "";
        try
        {
            // A bot gets chats only while it accepts them; the call is repeated harmlessly on every verification.
            await AgentAsync(settings, "set_routing_status", new { agent_id = botId, status = "accepting_chats" }, botId, cancellationToken);
        }
        catch (HelpDeskCallException ex)
        {
            routing = $"; its routing status could not be set to accepting_chats ({ex.Message}): set it in LiveChat";
        }

        var registered = await RegisterBotWebhooksAsync(settings, receivingAddress, cancellationToken);
        return (true, $"bot agent {botId} ready{routing}; bot webhooks at the receiving address: {registered}");
    }

    public async Task<string?> BotIdentityAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken) =>
        await BotIdAsync(settings, session, cancellationToken);

    public async Task SendBotMessageAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string messageId, string text, CancellationToken cancellationToken)
    {
        var botId = await BotIdAsync(settings, session, cancellationToken);
        try
        {
            await AgentAsync(settings, "send_event",
                new { chat_id = deskConversationId, @event = new { type = "message", text, visibility = "all", custom_id = messageId } }, botId, cancellationToken);
        }
        catch (HelpDeskCallException ex) when (ex.StatusCode is 400 or 404 or 409 or 422)
        {
            // A refusal of the message itself (e.g. the chat was deactivated before our "ended" text) is final: retrying
            // it would hold every later message of the conversation behind it. The next customer message reopens the chat.
        }
    }

    public async Task HandOverAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId, CancellationToken cancellationToken)
    {
        var botId = await BotIdAsync(settings, session, cancellationToken);
        await AgentAsync(settings, "transfer_chat", new
        {
            id = deskConversationId,
            target = new { type = "group", ids = new[] { GroupId(settings) } },
            ignore_agents_availability = false,
            // The bot hands the chat on and leaves it: it need not stay present for the transfer.
            ignore_requester_presence = true,
        }, botId, cancellationToken);
    }

    public async Task CloseAsBotAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string closeType, CancellationToken cancellationToken)
    {
        var botId = await BotIdAsync(settings, session, cancellationToken);
        // After a transfer the bot is no longer in the chat; the close must not depend on it.
        await AgentAsync(settings, "deactivate_chat", new { id = deskConversationId, ignore_requester_presence = true }, botId, cancellationToken);
    }

    /// <summary>Our bot agent's id: remembered in the session, else found by name among the app's bots, else created.</summary>
    private async Task<string> BotIdAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken)
    {
        if (session.Facts.TryGetValue("bot-id", out var known))
        {
            return known;
        }

        if (!settings.ContainsKey("agentAccessToken"))
        {
            throw new HelpDeskCallException("help-desk → help-desk mode needs agentAccessToken");
        }

        // Two webhooks at once must not make two bots.
        await session.Gate.WaitAsync(cancellationToken);
        try
        {
            if (session.Facts.TryGetValue("bot-id", out known))
            {
                return known;
            }

            var clientId = settings["clientId"];
            var bots = await ConfigurationAsync(settings, "list_bots", new { all = true }, cancellationToken);
            var list = bots as JsonArray ?? bots["bots"] as JsonArray ?? [];
            // Ours by name; the owner is checked where LiveChat names one (not every answer carries it).
            var botId = list.FirstOrDefault(b => b?["name"]?.ToString() == BotName
                    && (b["owner_client_id"] is not { } owner || owner.ToString() == clientId))?["id"]?.ToString();
            if (botId is null)
            {
                var created = await ConfigurationAsync(settings, "create_bot", new { name = BotName, owner_client_id = clientId }, cancellationToken);
                botId = created["id"]?.ToString() ?? throw new HelpDeskCallException("LiveChat answered create_bot without an id");
            }

            session.Facts["bot-id"] = botId;
            return botId;
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>Registers each bot webhook the mode needs at our address, unless one is there already with the same secret.</summary>
    private async Task<string> RegisterBotWebhooksAsync(IReadOnlyDictionary<string, string> settings, string receivingAddress, CancellationToken cancellationToken)
    {
        var clientId = settings["clientId"];
        // register_webhook wants a secret; without webhookSecretKey the unguessable address protects the receiver, and a
        // value derived from it keeps repeated registrations equal.
        var secret = settings.GetValueOrDefault("webhookSecretKey")
            ?? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("handoff-livechat-bot:" + receivingAddress)));
        var listed = await ConfigurationAsync(settings, "list_webhooks", new { owner_client_id = clientId }, cancellationToken);
        var existing = (listed as JsonArray ?? listed["webhooks"] as JsonArray ?? [])
            .Where(w => w?["url"]?.ToString() == receivingAddress && (w["type"] is not { } type || type.ToString() == "bot"))
            .ToList();
        var added = new List<string>();
        foreach (var action in BotWebhookActions)
        {
            var same = existing.Where(w => w?["action"]?.ToString() == action).ToList();
            // A listed secret that differs (the key was regenerated) would make every delivery fail: replace that webhook.
            if (same.Any(w => w?["secret_key"] is not { } key || key.ToString() == secret))
            {
                continue;
            }

            foreach (var stale in same)
            {
                await ConfigurationAsync(settings, "unregister_webhook", new { id = stale?["id"]?.ToString(), owner_client_id = clientId }, cancellationToken);
            }

            await ConfigurationAsync(settings, "register_webhook", new
            {
                url = receivingAddress, description = "Handoff: the bot's chats", action, secret_key = secret, owner_client_id = clientId, type = "bot",
            }, cancellationToken);
            added.Add(action);
        }

        return added.Count == 0 ? "already registered" : "registered " + string.Join(", ", added);
    }

    private Task<JsonNode> AgentAsync(IReadOnlyDictionary<string, string> settings, string method, object body, string? authorId, CancellationToken cancellationToken) =>
        AgentApiAsync(settings, "agent", method, body, authorId, cancellationToken);

    private Task<JsonNode> ConfigurationAsync(IReadOnlyDictionary<string, string> settings, string method, object body, CancellationToken cancellationToken) =>
        AgentApiAsync(settings, "configuration", method, body, null, cancellationToken);

    /// <summary>An Agent Chat or Configuration API call with the operator's agent token; as the bot when <paramref name="authorId"/> is given.</summary>
    private async Task<JsonNode> AgentApiAsync(IReadOnlyDictionary<string, string> settings, string api, string method, object body, string? authorId, CancellationToken cancellationToken)
    {
        var token = settings.GetValueOrDefault("agentAccessToken") ?? throw new HelpDeskCallException("help-desk → help-desk mode needs agentAccessToken");
        var version = settings.GetValueOrDefault("apiVersion") ?? DefaultVersion;
        var baseUrl = (configuration["Handoff:HelpDesks:LiveChat:ApiBaseUrl"] ?? "https://api.livechatinc.com").TrimEnd('/');
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/v{version}/{api}/action/{method}") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (authorId is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Author-Id", authorId);
        }

        if (RegionOf(token, settings) is { } region and not "dal")
        {
            request.Headers.TryAddWithoutValidation("X-Region", region);
        }

        return await HelpDeskHttp.SendJsonAsync(httpClients.CreateClient(HttpClientName), request, "LiveChat", $"{api} {method}", status => status switch
        {
            HttpStatusCode.Unauthorized => "the agent access token was refused",
            HttpStatusCode.Forbidden => "the agent access token lacks a scope for " + method,
            _ => null,
        }, cancellationToken);
    }

    private static int GroupId(IReadOnlyDictionary<string, string> settings) =>
        int.TryParse(settings.GetValueOrDefault("groupId"), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 0;

    private static string UserOf(HelpDeskSession session, string chatId) =>
        session.Facts.GetValueOrDefault("user-of:" + chatId)
        ?? throw new HelpDeskCallException("the LiveChat customer of this chat is no longer known (the help-desk session was reset)");

    private async Task<JsonNode> CallAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string user, string method, object body, CancellationToken cancellationToken)
    {
        var token = await TokenAsync(settings, session, user, forceNew: false, cancellationToken);
        try
        {
            return await ApiAsync(settings, token, method, body, cancellationToken);
        }
        catch (HelpDeskCallException ex) when (ex.StatusCode == 401)
        {
            // The token expired early or was revoked: one fresh token, one more try.
            token = await TokenAsync(settings, session, user, forceNew: true, cancellationToken);
            return await ApiAsync(settings, token, method, body, cancellationToken);
        }
    }

    private async Task<JsonNode> ApiAsync(IReadOnlyDictionary<string, string> settings, string token, string method, object body, CancellationToken cancellationToken)
    {
        var version = settings.GetValueOrDefault("apiVersion") ?? DefaultVersion;
        var baseUrl = (configuration["Handoff:HelpDesks:LiveChat:ApiBaseUrl"] ?? "https://api.livechatinc.com").TrimEnd('/');
        var url = $"{baseUrl}/v{version}/customer/action/{method}?organization_id={Uri.EscapeDataString(settings["organizationId"])}";
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (RegionOf(token, settings) is { } region and not "dal")
        {
            request.Headers.TryAddWithoutValidation("X-Region", region);
        }

        return await SendAsync(request, method, cancellationToken);
    }

    /// <summary>The customer token of one end user, from the cookie grant with that user's cookies replayed.</summary>
    private async Task<string> TokenAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string user, bool forceNew, CancellationToken cancellationToken)
    {
        if (!forceNew && session.Facts.TryGetValue("token:" + user, out var cached) &&
            session.Facts.TryGetValue("token-expires:" + user, out var expires) &&
            DateTimeOffset.FromUnixTimeSeconds(long.Parse(expires, CultureInfo.InvariantCulture)) - RefreshMargin > time.GetUtcNow())
        {
            return cached;
        }

        var accounts = (configuration["Handoff:HelpDesks:LiveChat:AccountsBaseUrl"] ?? "https://accounts.livechat.com").TrimEnd('/');
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{accounts}/v2/customer/token")
        {
            Content = JsonContent.Create(new { grant_type = "cookie", client_id = settings["clientId"], organization_id = settings["organizationId"], response_type = "token" }),
        };
        if (session.Facts.TryGetValue("cookies:" + user, out var cookies))
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookies);
        }

        using var response = await SendRawAsync(request, "customer token", cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HelpDeskCallException($"LiveChat refused a customer token (HTTP {(int)response.StatusCode}): {Brief(text)}", (int)response.StatusCode);
        }

        var node = Parse(text, "customer token");
        var token = node["access_token"]?.ToString() ?? throw new HelpDeskCallException("LiveChat's token answer has no access_token");
        var lifetime = node["expires_in"]?.GetValue<long>() ?? 28800;
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            // Keep __lc_cid / __lc_cst: replaying them keeps this user the same LiveChat customer.
            var pairs = setCookies.Select(c => c.Split(';')[0]).Where(c => c.StartsWith("__lc_", StringComparison.Ordinal)).ToList();
            if (pairs.Count > 0)
            {
                session.Facts["cookies:" + user] = string.Join("; ", pairs);
            }
        }

        session.Facts["token:" + user] = token;
        session.Facts["token-expires:" + user] = (time.GetUtcNow().ToUnixTimeSeconds() + lifetime).ToString(CultureInfo.InvariantCulture);
        if (node["entity_id"]?.ToString() is { } entity)
        {
            session.Facts["entity:" + user] = entity;
        }

        return token;
    }

    private Task<JsonNode> SendAsync(HttpRequestMessage request, string what, CancellationToken cancellationToken) =>
        HelpDeskHttp.SendJsonAsync(httpClients.CreateClient(HttpClientName), request, "LiveChat", what,
            status => status == HttpStatusCode.Unauthorized ? "the customer token was refused" : null, cancellationToken);

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new HelpDeskCallException($"LiveChat cannot be reached ({what}): {ex.HttpRequestError}", inner: ex);
        }
    }

    private static JsonNode Parse(string text, string what)
    {
        try
        {
            return JsonNode.Parse(text.Length == 0 ? "{}" : text) ?? new JsonObject();
        }
        catch (JsonException ex)
        {
            throw new HelpDeskCallException($"LiveChat answered {what} with something that is not JSON", inner: ex);
        }
    }

    // Tokens carry their data centre as a prefix ("fra-a:…"); the setting is the fallback.
    private static string? RegionOf(string token, IReadOnlyDictionary<string, string> settings)
    {
        var colon = token.IndexOf(':');
        var prefix = colon > 0 ? token[..colon].Split('-')[0] : null;
        return prefix is "dal" or "fra" ? prefix : settings.GetValueOrDefault("region");
    }

    private static string Brief(string text) => text.Length > 200 ? text[..200] : text;
}
