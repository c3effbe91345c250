using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Handoff.HelpDesks.ZohoSalesIq;

/// <summary>
/// Zoho SalesIQ with an Org OAuth client (docs/helpdesks.md 3.1–3.4, 3.7): the operator authorises us once, we keep
/// the refresh token and refresh the hour-long access token in the connection's help-desk grain, one refresh at a
/// time. A hand-off opens a visitor conversation with the transcript as its <c>question</c>; the user's later
/// messages go through the visitor message route; our side ends it through the operator close route. SalesIQ
/// answers errors with HTTP 200 too, so every answer is checked for an <c>error</c> body.
/// </summary>
public sealed class ZohoSalesIqHelpDesk(IHttpClientFactory httpClients, IConfiguration configuration, TimeProvider time)
    : IHelpDeskClient, IHelpDeskAuthorization, IHelpDeskDepartments, IHelpDeskMessenger
{
    public const string HttpClientName = "helpdesk-zoho-salesiq";

    /// <summary>What we ask for at consent: the visitor conversation APIs, apps, webhooks, and the pickers' reads.</summary>
    public const string DefaultScopes =
        "SalesIQ.Conversations.ALL,SalesIQ.apps.READ,SalesIQ.portals.READ,SalesIQ.departments.READ," +
        "SalesIQ.webhooks.CREATE,SalesIQ.webhooks.READ,SalesIQ.webhooks.UPDATE,SalesIQ.webhooks.DELETE";

    public static readonly string[] WebhookEvents =
        ["conversation.operator.replied", "conversation.completed", "conversation.attender.updated", "conversation.missed"];

    // Refresh ahead of the hour so no call goes out with a token about to lapse.
    private static readonly TimeSpan RefreshAhead = TimeSpan.FromMinutes(5);

    public string Kind => ZohoSalesIqDescriptor.KindName;

    /// <summary>The consent page of the connection's region (Org OAuth: <c>/oauth/v2/org/auth</c>).</summary>
    public static string AuthorizeUrl(IReadOnlyDictionary<string, string> settings, IConfiguration configuration, string redirectUri, string state)
    {
        var scopes = configuration["Handoff:HelpDesks:ZohoSalesIq:Scopes"] ?? DefaultScopes;
        var query = string.Join("&", new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = settings["clientId"],
            ["scope"] = scopes,
            ["redirect_uri"] = redirectUri,
            ["access_type"] = "offline",
            ["prompt"] = "consent",
            ["state"] = state,
        }.Select(kv => kv.Key + "=" + Uri.EscapeDataString(kv.Value)));
        return $"{AccountsBase(settings, configuration)}/oauth/v2/org/auth?{query}";
    }

    public async Task<(bool Available, string Detail)> VerifyAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken)
    {
        if (settings.GetValueOrDefault("publicKey") is { } key && ZohoSalesIqWebhook.ImportPublicKey(key) is null)
        {
            return (false, "the publicKey is neither a PEM nor a Base64 RSA public key");
        }

        try
        {
            await AccessTokenAsync(settings, session, stale: null, cancellationToken);
            var portals = await CallAsync(settings, session, HttpMethod.Get, "api/v2/portals", null, cancellationToken);
            var screens = (portals["data"] as JsonArray ?? []).Select(p => p?["screenname"]?.ToString()).ToList();
            if (!screens.Contains(settings["screenName"], StringComparer.OrdinalIgnoreCase))
            {
                return (false, $"the token works, but no portal has the screen name '{settings["screenName"]}'");
            }

            var notes = new List<string>();
            if (!settings.ContainsKey("departmentId")) notes.Add("no departmentId: the first department takes the conversations");
            if (!settings.ContainsKey("appId")) notes.Add("no appId: the portal's first brand app is used");
            if (!settings.ContainsKey("publicKey")) notes.Add("no publicKey: webhooks are protected only by the unguessable receiving address");
            return (true, "token refreshed and portal found" + (notes.Count > 0 ? "; " + string.Join("; ", notes) : ""));
        }
        catch (HelpDeskCallException ex)
        {
            return (false, ex.Message);
        }
    }

    public async Task<DeskOpened> OpenAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, HelpDeskOpening opening, CancellationToken cancellationToken)
    {
        var appId = settings.GetValueOrDefault("appId") ?? await FirstAsync(settings, session, "apps", cancellationToken);
        var departmentId = settings.GetValueOrDefault("departmentId") ?? await FirstAsync(settings, session, "departments", cancellationToken);
        var user = opening.UserId ?? opening.Email ?? opening.ConversationId;
        var visitor = new JsonObject
        {
            // Stable per end user, so SalesIQ shows one visitor across hand-offs; never the raw e-mail or user id.
            ["user_id"] = "handoff-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(opening.AgentId + "/" + user)))[..24],
            ["name"] = opening.Email ?? "Chat user",
        };
        if (opening.Email is not null) visitor["email"] = opening.Email;

        var created = await CallAsync(settings, session, HttpMethod.Post, $"api/visitor/v1/{Screen(settings)}/conversations", new JsonObject
        {
            ["app_id"] = appId,
            ["department_id"] = departmentId,
            ["question"] = opening.Transcript(),
            ["visitor"] = visitor,
        }, cancellationToken);
        var data = created["data"];
        var id = Scalar(data?["conversation_id"]) ?? Scalar(data?["id"])
            ?? throw new HelpDeskCallException("SalesIQ created the conversation but answered no id");
        return new DeskOpened(id, null);
    }

    public async Task SendUserMessageAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string messageId, string text, CancellationToken cancellationToken) =>
        await CallAsync(settings, session, HttpMethod.Post, $"api/visitor/v1/{Screen(settings)}/conversations/{Uri.EscapeDataString(deskConversationId)}/messages",
            new JsonObject { ["text"] = text }, cancellationToken);

    public async Task CloseAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string closeType, CancellationToken cancellationToken) =>
        await CallAsync(settings, session, HttpMethod.Post, $"api/v2/{Screen(settings)}/conversations/{Uri.EscapeDataString(deskConversationId)}/close",
            new JsonObject(), cancellationToken);

    // Help-desk → help-desk mode: the bot is a Zobot, whose words and forward travel in the answer to its webhook
    // (ZohoSalesIqZobot); only our side's close is an API call.

    public Task<string?> BotIdentityAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(null);

    public Task SendBotMessageAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string messageId, string text, CancellationToken cancellationToken) =>
        throw new HelpDeskCallException("SalesIQ takes a Zobot's replies only in the answer to its webhook");

    public Task HandOverAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId, CancellationToken cancellationToken) =>
        throw new HelpDeskCallException("SalesIQ takes a Zobot's forward only in the answer to its webhook");

    public Task CloseAsBotAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string closeType, CancellationToken cancellationToken) => CloseAsync(settings, session, deskConversationId, closeType, cancellationToken);

    public async Task<IReadOnlyList<HelpDeskChoice>> ListDepartmentsAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken)
    {
        var list = await CallAsync(settings, session, HttpMethod.Get, $"api/v2/{Screen(settings)}/departments", null, cancellationToken);
        return (list["data"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(d => new HelpDeskChoice(Scalar(d["id"]) ?? "", d["name"]?.ToString() ?? ""))
            .Where(d => d.Id.Length > 0).ToList();
    }

    public async Task<IReadOnlyDictionary<string, string>> ExchangeCodeAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session,
        string code, string redirectUri, CancellationToken cancellationToken)
    {
        var answer = await TokenCallAsync(settings, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = settings["clientId"],
            ["client_secret"] = settings["clientSecret"],
            ["redirect_uri"] = redirectUri,
            ["code"] = code,
        }, "code exchange", cancellationToken);
        var refresh = answer["refresh_token"]?.ToString();
        if (string.IsNullOrEmpty(refresh))
        {
            throw new HelpDeskCallException("Zoho answered the code exchange without a refresh token (was access_type=offline kept?)");
        }

        Remember(session, answer);
        return new Dictionary<string, string> { [ZohoSalesIqDescriptor.RefreshToken] = refresh };
    }

    public async Task RegisterWebhookAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string receivingAddress, CancellationToken cancellationToken)
    {
        var appId = settings.GetValueOrDefault("appId") ?? await FirstAsync(settings, session, "apps", cancellationToken);
        var body = new JsonObject
        {
            ["type"] = "data",
            ["url"] = receivingAddress,
            ["secured"] = settings.ContainsKey("publicKey"),
            ["version"] = "1",
            ["app_ids"] = new JsonArray(appId),
            ["events"] = new JsonArray(WebhookEvents.Select(e => (JsonNode)e).ToArray()),
        };

        // Authorising again must not add a second webhook: an existing one at our address is updated (its lists replaced).
        var existing = await CallAsync(settings, session, HttpMethod.Get, $"api/v2/{Screen(settings)}/webhooks", null, cancellationToken);
        var ours = (existing["data"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(w => w["url"]?.ToString() == receivingAddress);
        if (ours is not null && Scalar(ours["id"]) is { } webhookId)
        {
            await CallAsync(settings, session, HttpMethod.Put, $"api/v2/{Screen(settings)}/webhooks/{webhookId}", body, cancellationToken);
        }
        else
        {
            await CallAsync(settings, session, HttpMethod.Post, $"api/v2/{Screen(settings)}/webhooks", body, cancellationToken);
        }
    }

    private async Task<string> FirstAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string what, CancellationToken cancellationToken)
    {
        if (session.Facts.TryGetValue("first:" + what, out var known))
        {
            return known;
        }

        var list = await CallAsync(settings, session, HttpMethod.Get, $"api/v2/{Screen(settings)}/{what}", null, cancellationToken);
        var first = (list["data"] as JsonArray ?? []).Select(d => Scalar(d?["id"])).FirstOrDefault(id => id is not null)
            ?? throw new HelpDeskCallException($"the SalesIQ portal has no {what}");
        session.Facts["first:" + what] = first;
        return first;
    }

    /// <summary>A SalesIQ call with the current access token; an expired or refused token is refreshed once and the call repeated.</summary>
    private async Task<JsonNode> CallAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, HttpMethod method, string path,
        JsonNode? body, CancellationToken cancellationToken)
    {
        var token = await AccessTokenAsync(settings, session, stale: null, cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, $"{ApiBase(settings, configuration)}/{path}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Zoho-oauthtoken", token);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            var call = $"{method} /{path}";
            JsonNode answer;
            try
            {
                answer = await HelpDeskHttp.SendJsonAsync(httpClients.CreateClient(HttpClientName), request, "SalesIQ", call,
                    status => status == HttpStatusCode.Unauthorized ? "the access token was refused" : null, cancellationToken);
            }
            catch (HelpDeskCallException ex) when (ex.StatusCode is 400 or 401 && attempt == 0)
            {
                token = await AccessTokenAsync(settings, session, stale: token, cancellationToken);
                continue;
            }

            if (answer["error"] is JsonObject error)
            {
                var code = Scalar(error["code"]);
                if (code is "1008" or "1001" && attempt == 0)
                {
                    token = await AccessTokenAsync(settings, session, stale: token, cancellationToken);
                    continue;
                }

                throw new HelpDeskCallException($"SalesIQ error {code} on {call}: {error["message"]}");
            }

            return answer;
        }
    }

    /// <summary>
    /// The connection's access token, refreshed when it nears its end or when <paramref name="stale"/> was refused;
    /// one refresh at a time, and a caller that waited for another's refresh takes its result.
    /// </summary>
    private async Task<string> AccessTokenAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string? stale, CancellationToken cancellationToken)
    {
        string? Current() => session.Facts.TryGetValue("access", out var token) &&
            session.Facts.TryGetValue("expires", out var expires) &&
            DateTimeOffset.Parse(expires, CultureInfo.InvariantCulture) - time.GetUtcNow() > RefreshAhead &&
            token != stale ? token : null;

        if (Current() is { } fresh)
        {
            return fresh;
        }

        await session.Gate.WaitAsync(cancellationToken);
        try
        {
            if (Current() is { } refreshedMeanwhile)
            {
                return refreshedMeanwhile;
            }

            if (settings.GetValueOrDefault(ZohoSalesIqDescriptor.RefreshToken) is not { } refresh)
            {
                throw new HelpDeskCallException("SalesIQ is not authorised yet: use the Authorise button (GET /api/agents/{agentId}/helpdesk/authorize)");
            }

            var answer = await TokenCallAsync(settings, new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["client_id"] = settings["clientId"],
                ["client_secret"] = settings["clientSecret"],
                ["refresh_token"] = refresh,
            }, "token refresh", cancellationToken);
            return Remember(session, answer);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    private string Remember(HelpDeskSession session, JsonNode answer)
    {
        var token = answer["access_token"]?.ToString() ?? throw new HelpDeskCallException("Zoho answered without an access token");
        // expires_in_sec is seconds; expires_in is milliseconds in Zoho's answers (seconds in standard OAuth): read both.
        var seconds = long.TryParse(Scalar(answer["expires_in_sec"]), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s
            : long.TryParse(Scalar(answer["expires_in"]), NumberStyles.Integer, CultureInfo.InvariantCulture, out var e) ? (e > 100_000 ? e / 1000 : e)
            : 3600;
        session.Facts["access"] = token;
        session.Facts["expires"] = time.GetUtcNow().AddSeconds(seconds).ToString("O", CultureInfo.InvariantCulture);
        return token;
    }

    private async Task<JsonNode> TokenCallAsync(IReadOnlyDictionary<string, string> settings, Dictionary<string, string> form, string what, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{AccountsBase(settings, configuration)}/oauth/v2/token")
        {
            Content = new FormUrlEncodedContent(form),
        };
        var answer = await HelpDeskHttp.SendJsonAsync(httpClients.CreateClient(HttpClientName), request, "Zoho accounts", "POST /oauth/v2/token",
            status => status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized ? $"Zoho refused the {what}" : null, cancellationToken);
        // Zoho accounts answers refusals with HTTP 200 and {"error":"invalid_client"} (docs/helpdesks.md 0a).
        if (answer["error"] is { } error)
        {
            throw new HelpDeskCallException($"Zoho refused the {what}: {(error is JsonObject o ? o["code"] ?? o["message"] : error)}");
        }

        return answer;
    }

    private static string Screen(IReadOnlyDictionary<string, string> settings) => Uri.EscapeDataString(settings["screenName"]);

    private static string ApiBase(IReadOnlyDictionary<string, string> settings, IConfiguration configuration) =>
        (configuration["Handoff:HelpDesks:ZohoSalesIq:ApiBaseUrl"] ?? Region(settings).Api).TrimEnd('/');

    private static string AccountsBase(IReadOnlyDictionary<string, string> settings, IConfiguration configuration) =>
        (configuration["Handoff:HelpDesks:ZohoSalesIq:AccountsBaseUrl"] ?? Region(settings).Accounts).TrimEnd('/');

    private static ZohoRegions.Hosts Region(IReadOnlyDictionary<string, string> settings) =>
        ZohoRegions.All.TryGetValue(settings.GetValueOrDefault("region") ?? "us", out var hosts) ? hosts : ZohoRegions.All["us"];

    // Zoho's ids pass 2^53 (docs/helpdesks.md 0a): keep the digits as written, never through a double.
    internal static string? Scalar(JsonNode? node) => node is JsonValue v
        ? v.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
            System.Text.Json.JsonValueKind.Number => v.ToJsonString(),
            _ => null,
        }
        : null;
}
