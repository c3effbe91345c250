using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Handoff.HelpDesks;

/// <summary>
/// The one way our help-desk clients call a JSON API: an unreachable desk, a refusal and a body that is not JSON all
/// become a <see cref="HelpDeskCallException"/> whose message names the desk and the call (never a secret).
/// </summary>
public static class HelpDeskHttp
{
    /// <param name="refusal">The desk's words for a refused status, e.g. "the access token was refused" for 401.</param>
    public static async Task<JsonNode> SendJsonAsync(HttpClient http, HttpRequestMessage request, string desk, string call,
        Func<HttpStatusCode, string?> refusal, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new HelpDeskCallException($"{desk} cannot be reached ({call}): {ex.HttpRequestError}", inner: ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var why = refusal(response.StatusCode) ?? (response.StatusCode == HttpStatusCode.TooManyRequests
                    ? $"{desk}'s rate limit was hit"
                    : $"{desk} refused the call");
                throw new HelpDeskCallException($"{why} (HTTP {(int)response.StatusCode} on {call})", (int)response.StatusCode);
            }

            try
            {
                return JsonNode.Parse(text.Length == 0 ? "{}" : text) ?? new JsonObject();
            }
            catch (JsonException ex)
            {
                throw new HelpDeskCallException($"{desk} answered {call} with something that is not JSON", inner: ex);
            }
        }
    }
}
