using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Handoff.HelpDesks.Sobot;

/// <summary>
/// Sobot (docs/helpdesks.md 5): our bot runs inside the Sobot widget, and a hand-off asks Sobot to pass the
/// visitor to a human. Tokens come from <see cref="IHelpDeskTokens"/> (one per appId for the cluster) and go in a
/// <c>token</c> header. How an external bot asks for the transfer is not public (5.3, 5.4), so it is one configured
/// call: <c>POST {baseUrl}{Handoff:HelpDesks:Sobot:TransferPath}</c> with the body <see cref="TransferBody"/> builds.
/// The desk conversation id we keep is the visitor's <c>partnerId</c>, which Sobot's callbacks name.
/// </summary>
public sealed class SobotHelpDesk(IHttpClientFactory httpClients, IConfiguration configuration, IHelpDeskTokens tokens) : IHelpDeskClient
{
    public const string HttpClientName = "helpdesk-sobot";
    public const string DefaultBaseUrl = "https://sg.sobot.io";
    public const string TransferPathKey = "Handoff:HelpDesks:Sobot:TransferPath";
    public const string UserMessagePathKey = "Handoff:HelpDesks:Sobot:UserMessagePath";
    public const string EndPathKey = "Handoff:HelpDesks:Sobot:EndPath";

    public string Kind => SobotDescriptor.KindName;

    public async Task<(bool Available, string Detail)> VerifyAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, CancellationToken cancellationToken)
    {
        try
        {
            // The shared token, not a fresh one: fetching here would invalidate the token every other caller holds.
            await tokens.GetAsync(SobotDescriptor.KindName, settings["appId"], SobotTokenSource.Credentials(BaseUrl(settings), settings["appId"], settings["appKey"]), cancellationToken);
        }
        catch (HelpDeskCallException ex)
        {
            return (false, ex.Message);
        }

        if (Path(TransferPathKey) is null)
        {
            return (false, $"token obtained, but {TransferPathKey} is not set: Sobot's hand-over call for an external bot is not public; set it to the path Sobot gives you");
        }

        var notes = new List<string>();
        if (!settings.ContainsKey("companyId") || !settings.ContainsKey("forwardingKey"))
        {
            notes.Add("no companyId and forwardingKey: callbacks are protected only by the unguessable receiving address");
        }

        return (true, "token obtained" + (notes.Count > 0 ? "; " + string.Join("; ", notes) : ""));
    }

    public async Task<DeskOpened> OpenAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, HelpDeskOpening opening, CancellationToken cancellationToken)
    {
        var path = Path(TransferPathKey) ?? throw new HelpDeskCallException($"{TransferPathKey} is not set");
        var partnerId = PartnerId(opening);
        await PostAsync(settings, path, TransferBody(opening, partnerId), "transfer", cancellationToken);
        return new DeskOpened(partnerId, null);
    }

    /// <summary>Our user's id in Sobot (the widget's <c>partnerid</c>, given to us as <c>userId</c>), else the conversation's.</summary>
    public static string PartnerId(HelpDeskOpening opening) => opening.UserId is { Length: > 0 } userId ? userId : opening.ConversationId;

    /// <summary>The body of the configured transfer call: our own definition (README), since Sobot publishes none.</summary>
    public static JsonObject TransferBody(HelpDeskOpening opening, string partnerId) => new()
    {
        ["partnerId"] = partnerId,
        ["content"] = opening.Transcript(),
        ["email"] = opening.Email,
        ["source"] = "handoff",
        ["conversationId"] = opening.ConversationId,
        ["handoffId"] = opening.HandoffId,
    };

    public async Task SendUserMessageAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string messageId, string text, CancellationToken cancellationToken)
    {
        // The user writes in the Sobot widget, so Sobot has the message already; forward only when told where to.
        if (Path(UserMessagePathKey) is { } path)
        {
            await PostAsync(settings, path, new JsonObject { ["partnerId"] = deskConversationId, ["msgId"] = messageId, ["content"] = text }, "user message", cancellationToken);
        }
    }

    public async Task CloseAsync(IReadOnlyDictionary<string, string> settings, HelpDeskSession session, string deskConversationId,
        string closeType, CancellationToken cancellationToken)
    {
        if (Path(EndPathKey) is { } path)
        {
            await PostAsync(settings, path, new JsonObject { ["partnerId"] = deskConversationId, ["closeType"] = closeType }, "end", cancellationToken);
        }
    }

    private string BaseUrl(IReadOnlyDictionary<string, string> settings) =>
        (settings.GetValueOrDefault("baseUrl") ?? configuration["Handoff:HelpDesks:Sobot:BaseUrl"] ?? DefaultBaseUrl).TrimEnd('/');

    /// <summary>A configured path under the base URL; anything else (an absolute URL) is ignored so the token stays with Sobot.</summary>
    private string? Path(string key) =>
        configuration[key] is { Length: > 1 } path && path.StartsWith('/') && !path.StartsWith("//", StringComparison.Ordinal) && !path.Contains("://", StringComparison.Ordinal)
            ? path
            : null;

    private async Task PostAsync(IReadOnlyDictionary<string, string> settings, string path, JsonObject body, string call, CancellationToken cancellationToken)
    {
        var baseUrl = BaseUrl(settings);
        var appId = settings["appId"];
        var credentials = SobotTokenSource.Credentials(baseUrl, appId, settings["appKey"]);
        var token = await tokens.GetAsync(SobotDescriptor.KindName, appId, credentials, cancellationToken);
        if (await TryPostAsync(baseUrl, path, token, body, call, cancellationToken))
        {
            return;
        }

        // Someone fetched a new token (or ours expired early): renew once and try again; the refused call did nothing.
        token = await tokens.RenewAsync(SobotDescriptor.KindName, appId, credentials, token, cancellationToken);
        if (!await TryPostAsync(baseUrl, path, token, body, call, cancellationToken))
        {
            throw new HelpDeskCallException($"Sobot refused a renewed token ({call})");
        }
    }

    /// <returns>False when the desk refused the token; other failures throw.</returns>
    private async Task<bool> TryPostAsync(string baseUrl, string path, string token, JsonObject body, string call, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + path) { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("token", token);
        JsonNode answer;
        try
        {
            answer = await HelpDeskHttp.SendJsonAsync(httpClients.CreateClient(HttpClientName), request, "Sobot", $"POST {path} ({call})",
                status => status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? "the token was refused" : null, cancellationToken);
        }
        catch (HelpDeskCallException ex) when (ex.StatusCode is 401 or 403)
        {
            return false;
        }

        var code = answer["ret_code"]?.ToString();
        if (code is null || code == SuccessCode)
        {
            return true;
        }

        var message = answer["ret_msg"]?.ToString() ?? "";
        if (IsTokenRefusal(message))
        {
            return false;
        }

        throw new HelpDeskCallException($"Sobot refused {call}: {message} (ret_code {code})");
    }

    // Sobot's APIs answer HTTP 200 with ret_code/ret_msg; the success value and the codes for a refused token are
    // not published ([?]), so a 401/403 or a refusal whose message names the token counts as a refused token.
    private const string SuccessCode = "000000";

    private static bool IsTokenRefusal(string message) => message.Contains("token", StringComparison.OrdinalIgnoreCase);
}
