using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Handoff.HelpDesks.Webhook;

/// <summary>Calls the agent owner's server of the generic webhook protocol: establish, chat, close, and the status probe.</summary>
public sealed class WebhookHelpDeskClient(HttpClient http, TimeProvider time)
{
    public const string HttpClientName = "helpdesk-webhook";

    /// <summary>A <c>GET {url}</c>: any answer below 500 other than 401/403 means the desk is there.</summary>
    public async Task<(bool Available, string Detail)> VerifyAsync(WebhookDeskSettings settings, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, settings.BaseUrl.ToString().TrimEnd('/'));
        AddBasic(request, settings);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var code = (int)response.StatusCode;
            return response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                ? (false, $"the desk refused our credentials (HTTP {code})")
                : code >= 500
                    ? (false, $"the desk answered HTTP {code}")
                    : (true, $"the desk answered HTTP {code}");
        }
        catch (HttpRequestException ex)
        {
            return (false, $"the desk cannot be reached: {ex.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, "the desk did not answer in time");
        }
    }

    public Task EstablishAsync(WebhookDeskSettings settings, WebhookEstablish body, CancellationToken cancellationToken) =>
        PostAsync(settings, "conversation/establish", body, cancellationToken);

    public Task ChatAsync(WebhookDeskSettings settings, WebhookChat body, CancellationToken cancellationToken) =>
        PostAsync(settings, "chat", body, cancellationToken);

    public Task CloseAsync(WebhookDeskSettings settings, WebhookClose body, CancellationToken cancellationToken) =>
        PostAsync(settings, "conversation/close", body, cancellationToken);

    private async Task PostAsync<T>(WebhookDeskSettings settings, string path, T body, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(settings.BaseUrl, path))
        {
            Content = new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        AddBasic(request, settings);
        if (settings.SigningSecret is { Length: > 0 } secret)
        {
            request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Create(secret, time.GetUtcNow(), bytes));
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new HelpDeskCallException($"the desk cannot be reached ({path}): {ex.HttpRequestError}", inner: ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HelpDeskCallException($"the desk did not answer in time ({path})", inner: ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new HelpDeskCallException($"the desk answered HTTP {(int)response.StatusCode} to {path}", (int)response.StatusCode);
            }
        }
    }

    private static void AddBasic(HttpRequestMessage request, WebhookDeskSettings settings)
    {
        if (settings.Username is { Length: > 0 } user)
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{settings.Password}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", token);
        }
    }
}
