using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Handoff.HelpDesks.Intercom;

/// <summary>
/// Intercom's REST API as our help-desk client (docs/helpdesks.md section 1): <c>GET /me</c> to verify and learn
/// the admin id, find or create the contact by e-mail, start a user conversation with the transcript as plain
/// text, reply as the user, close as the admin.
/// </summary>
public sealed class IntercomHelpDesk(IHttpClientFactory httpClients, IConfiguration configuration) : IHelpDeskClient, IHelpDeskMessenger
{
    public const string HttpClientName = "helpdesk-intercom";
    public const string DefaultVersion = "2.14";

    public string Kind => IntercomDescriptor.KindName;

    public async Task<(bool Available, string Detail)> VerifyAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken)
    {
        try
        {
            var me = await MeAsync(settings, session, cancellationToken);
            var unsigned = settings.ContainsKey("clientSecret")
                ? ""
                : "; no clientSecret: webhooks are protected only by the unguessable receiving address";
            return (true, $"token of admin {me} accepted{unsigned}");
        }
        catch (HelpDeskCallException ex)
        {
            return (false, ex.Message);
        }
    }

    public async Task<DeskOpened> OpenAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, HelpDeskOpening opening, CancellationToken cancellationToken)
    {
        var email = opening.Email ?? throw new HelpDeskCallException("Intercom needs the user's e-mail to find or create the contact");
        var contactId = await ContactAsync(settings, session, email, opening.UserId, cancellationToken);

        var created = await SendAsync(settings, HttpMethod.Post, "conversations",
            new { from = new { type = "user", id = contactId }, body = opening.Transcript() }, cancellationToken);
        var conversationId = Str(created, "conversation_id") ?? Str(created, "id")
            ?? throw new HelpDeskCallException("Intercom answered the new conversation without an id");
        session.Facts["contact-of:" + conversationId] = contactId;
        if (settings.GetValueOrDefault("teamId") is { Length: > 0 } teamId)
        {
            var adminId = await MeAsync(settings, session, cancellationToken);
            await SendAsync(settings, HttpMethod.Post, $"conversations/{conversationId}/parts",
                new { message_type = "assignment", type = "team", admin_id = adminId, assignee_id = teamId }, cancellationToken);
        }

        return new DeskOpened(conversationId, contactId);
    }

    public async Task SendUserMessageAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string messageId, string text, CancellationToken cancellationToken)
    {
        if (!session.Facts.TryGetValue("contact-of:" + deskConversationId, out var contactId))
        {
            // The session was lost (new activation): the conversation itself names its contact.
            var conversation = await SendAsync(settings, HttpMethod.Get, $"conversations/{deskConversationId}", null, cancellationToken);
            contactId = conversation["contacts"]?["contacts"]?[0]?["id"]?.ToString()
                ?? throw new HelpDeskCallException("Intercom's conversation names no contact");
            session.Facts["contact-of:" + deskConversationId] = contactId;
        }

        await SendAsync(settings, HttpMethod.Post, $"conversations/{deskConversationId}/reply",
            new { message_type = "comment", type = "user", intercom_user_id = contactId, body = text }, cancellationToken);
    }

    public async Task CloseAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string closeType, CancellationToken cancellationToken)
    {
        var adminId = await MeAsync(settings, session, cancellationToken);
        var note = closeType == "TIMEOUT" ? "Closed by Handoff: the conversation timed out." : "Closed by Handoff: the user ended the conversation.";
        await SendAsync(settings, HttpMethod.Post, $"conversations/{deskConversationId}/parts",
            new { message_type = "close", type = "admin", admin_id = adminId, body = note }, cancellationToken);
    }

    // Help-desk → help-desk mode (docs/helpdesks.md 1.6): the bot is the token's admin seat inside the Messenger.

    public async Task<string?> BotIdentityAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken) =>
        await MeAsync(settings, session, cancellationToken);

    public async Task SendBotMessageAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string messageId, string text, CancellationToken cancellationToken)
    {
        var adminId = await MeAsync(settings, session, cancellationToken);
        // Admin bodies are HTML: our plain text is escaped, its line breaks kept.
        var html = "<p>" + WebUtility.HtmlEncode(text).Replace("\n", "<br>") + "</p>";
        await SendAsync(settings, HttpMethod.Post, $"conversations/{deskConversationId}/reply",
            new { message_type = "comment", type = "admin", admin_id = adminId, body = html }, cancellationToken);
    }

    public async Task HandOverAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId, CancellationToken cancellationToken)
    {
        var adminId = await MeAsync(settings, session, cancellationToken);
        if (settings.GetValueOrDefault("teamId") is { Length: > 0 } teamId)
        {
            await SendAsync(settings, HttpMethod.Post, $"conversations/{deskConversationId}/parts",
                new { message_type = "assignment", type = "team", admin_id = adminId, assignee_id = teamId }, cancellationToken);
        }
        else
        {
            // No team configured: the workspace's own assignment rules pick the humans.
            await SendAsync(settings, HttpMethod.Post, $"conversations/{deskConversationId}/run_assignment_rules", null, cancellationToken);
        }
    }

    public Task CloseAsBotAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string closeType, CancellationToken cancellationToken) => CloseAsync(settings, session, deskConversationId, closeType, cancellationToken);

    /// <summary>The admin id of the token (from <c>GET /me</c>), learned once per session.</summary>
    private async Task<string> MeAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken)
    {
        if (session.Facts.TryGetValue("admin-id", out var known))
        {
            return known;
        }

        var me = await SendAsync(settings, HttpMethod.Get, "me", null, cancellationToken);
        var adminId = Str(me, "id") ?? throw new HelpDeskCallException("Intercom's /me answered without an admin id");
        session.Facts["admin-id"] = adminId;
        if (me["app"]?["id_code"]?.ToString() is { } appId)
        {
            session.Facts["app-id"] = appId;
        }

        return adminId;
    }

    private async Task<string> ContactAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string email, string? userId, CancellationToken cancellationToken)
    {
        if (session.Facts.TryGetValue("contact:" + email, out var cached))
        {
            return cached;
        }

        var contactId = await SearchContactAsync(settings, email, cancellationToken);
        if (contactId is null)
        {
            try
            {
                var created = await SendAsync(settings, HttpMethod.Post, "contacts",
                    userId is null ? new { role = "user", email } : new { role = "user", email, external_id = userId }, cancellationToken);
                contactId = Str(created, "id");
            }
            catch (HelpDeskCallException ex) when (ex.StatusCode == 409)
            {
                contactId = await SearchContactAsync(settings, email, cancellationToken);
            }
        }

        if (contactId is null)
        {
            throw new HelpDeskCallException("Intercom neither found nor created the contact");
        }

        session.Facts["contact:" + email] = contactId;
        return contactId;
    }

    private async Task<string?> SearchContactAsync(IReadOnlyDictionary<string, string> settings, string email, CancellationToken cancellationToken)
    {
        var found = await SendAsync(settings, HttpMethod.Post, "contacts/search",
            new { query = new { field = "email", @operator = "=", value = email } }, cancellationToken);
        return found["data"]?.AsArray().FirstOrDefault()?["id"]?.ToString();
    }

    private async Task<JsonNode> SendAsync(IReadOnlyDictionary<string, string> settings, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseUrl(settings), path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings["accessToken"]);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("Intercom-Version", settings.GetValueOrDefault("apiVersion") ?? DefaultVersion);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await HelpDeskHttp.SendJsonAsync(httpClients.CreateClient(HttpClientName), request, "Intercom", $"{method} /{path}", status => status switch
        {
            HttpStatusCode.Unauthorized => "the access token was refused",
            HttpStatusCode.Forbidden => "the access token lacks a permission",
            _ => null,
        }, cancellationToken);
    }

    private Uri BaseUrl(IReadOnlyDictionary<string, string> settings)
    {
        var configured = configuration["Handoff:HelpDesks:Intercom:BaseUrl"];
        var url = configured ?? (settings.GetValueOrDefault("region") switch
        {
            "eu" => "https://api.eu.intercom.io",
            "au" => "https://api.au.intercom.io",
            _ => "https://api.intercom.io",
        });
        return new Uri(url.TrimEnd('/') + "/");
    }

    private static string? Str(JsonNode node, string name) => node[name] is { } v ? v.ToString() : null;
}
