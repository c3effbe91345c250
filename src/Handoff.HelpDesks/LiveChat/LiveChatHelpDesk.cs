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
/// LiveChat's Customer Chat API as our help-desk client (shared/helpdesks.md section 2): a customer identity per end
/// user through the accounts cookie grant (its cookies replayed, so the same user stays the same customer across
/// hand-offs), <c>update_customer</c>, <c>start_chat</c> with the transcript, <c>send_event</c>, <c>deactivate_chat</c>.
/// Tokens are refreshed before they expire and once more when the API says they have.
/// </summary>
public sealed class LiveChatHelpDesk(IHttpClientFactory httpClients, IConfiguration configuration, TimeProvider time) : IHelpDeskClient
{
    public const string HttpClientName = "helpdesk-livechat";
    public const string DefaultVersion = "3.6";
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    public string Kind => "livechat";

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


        var groupId = int.TryParse(settings.GetValueOrDefault("groupId"), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 0;
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
