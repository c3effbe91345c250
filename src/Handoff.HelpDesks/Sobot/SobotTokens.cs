using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Handoff.HelpDesks.Sobot;

/// <summary>
/// Sobot's token call for the cluster's token grain. Every <c>get_token</c> invalidates the tokens issued before it,
/// so the Sobot client never calls it itself: it asks <see cref="IHelpDeskTokens"/> for the shared token of its appId.
/// Credentials: <c>baseUrl</c>, <c>appId</c>, <c>appKey</c>.
/// </summary>
public sealed class SobotTokenSource(IHttpClientFactory httpClients) : IHelpDeskTokenSource
{
    public string Name => SobotDescriptor.KindName;

    public Task<(string Token, TimeSpan ExpiresIn)> FetchAsync(IReadOnlyDictionary<string, string> credentials, DateTimeOffset now, CancellationToken cancellationToken) =>
        SobotTokenApi.FetchAsync(httpClients.CreateClient(SobotHelpDesk.HttpClientName), credentials["baseUrl"], credentials["appId"], credentials["appKey"], now, cancellationToken);

    /// <summary>What a token is fetched with, as the token grain keeps it.</summary>
    public static Dictionary<string, string> Credentials(string baseUrl, string appId, string appKey) =>
        new() { ["baseUrl"] = baseUrl.TrimEnd('/'), ["appId"] = appId, ["appKey"] = appKey };
}

/// <summary>The one <c>get_token</c> call (docs/helpdesks.md 5.1); only the token grain makes it.</summary>
public static class SobotTokenApi
{
    public static async Task<(string Token, TimeSpan ExpiresIn)> FetchAsync(HttpClient http, string baseUrl, string appId, string appKey,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var createTime = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var url = $"{baseUrl.TrimEnd('/')}/api/get_token?appid={Uri.EscapeDataString(appId)}&create_time={createTime}&sign={SobotSign.Token(appId, createTime, appKey)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var answer = await HelpDeskHttp.SendJsonAsync(http, request, "Sobot", "GET /api/get_token",
            status => status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? "the appId or appKey was refused" : null, cancellationToken);

        // The success code is not confirmed ([?] in the facts): a token in the answer is what counts.
        if (answer["item"]?["token"] is JsonValue tokenValue && tokenValue.TryGetValue<string>(out var token) && token.Length > 0)
        {
            return (token, ExpiresIn(answer["item"]?["expires_in"]));
        }

        var why = answer["ret_msg"]?.ToString() is { Length: > 0 } msg ? msg : "no token in the answer";
        throw new HelpDeskCallException($"Sobot refused the token request: {why} (ret_code {answer["ret_code"]?.ToString() ?? "none"})");
    }

    private static TimeSpan ExpiresIn(JsonNode? node)
    {
        // Documented as a string of seconds; a number is taken too. Without one, the documented 24 h.
        var text = node?.ToString();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromHours(24);
    }
}
