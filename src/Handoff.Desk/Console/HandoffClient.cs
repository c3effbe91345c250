using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Handoff.Desk;

/// <summary>The service's answer to one call, kept small enough to show the human.</summary>
internal sealed record DeliveryResult(bool Ok, int? Status, string? Body, string? Error)
{
    private const int MaxBodyInSentence = 300;

    /// <summary>One sentence for the human; the full body stays in <see cref="Body"/>.</summary>
    public string Describe()
    {
        if (Ok)
            return "delivered";
        if (Status is not { } status)
            return $"The Handoff service could not be reached: {Error}";
        var body = string.Join(' ', (Body ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return body.Length is 0 or > MaxBodyInSentence
            ? $"The Handoff service answered {status}."
            : $"The Handoff service answered {status}: {body}";
    }
}

/// <summary>Calls the Handoff service for the human: <c>/v1/human/message/receive</c> and <c>/v1/human/close</c>.</summary>
internal sealed class HandoffClient(HttpClient http, IOptions<DeskOptions> options, TimeProvider time, ILogger<HandoffClient> logger)
{
    private const int MaxBodyShown = 2000;

    public Task<DeliveryResult> SendMessageAsync(string conversationId, DeskItem item) =>
        PostAsync("v1/human/message/receive",
            new HumanMessagePayload(conversationId, time.GetUtcNow().ToUnixTimeMilliseconds(), item.Text, item.MessageId, item.SenderName));

    public Task<DeliveryResult> CloseAsync(string conversationId) =>
        PostAsync("v1/human/close", new HumanClosePayload(conversationId, time.GetUtcNow().ToUnixTimeMilliseconds()));

    // No caller token on purpose: once sent, the outcome must be recorded even if the human's browser went away,
    // otherwise a message the service accepted would show as undelivered. HttpClient.Timeout bounds the wait.
    private async Task<DeliveryResult> PostAsync<T>(string path, T payload)
    {
        if (http.BaseAddress is null)
            return new DeliveryResult(false, null, null, $"{DeskOptions.SectionName}:HandoffBaseUrl is not set.");

        var desk = options.Value;
        var body = JsonSerializer.SerializeToUtf8Bytes(payload, ProtocolJson.Options);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        if (!string.IsNullOrEmpty(desk.ReceivingKey))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", desk.ReceivingKey);
        if (desk.SigningEnabled)
            request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName,
                WebhookSignature.Create(desk.SigningSecret!, time.GetUtcNow().ToUnixTimeSeconds(), body));

        try
        {
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (text.Length > MaxBodyShown)
                text = text[..MaxBodyShown] + "…";
            if (!response.IsSuccessStatusCode)
                logger.LogWarning("POST {Path} answered {Status}: {Body}", path, (int)response.StatusCode, text);
            return new DeliveryResult(response.IsSuccessStatusCode, (int)response.StatusCode, text, null);
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning("POST {Path} failed: {Error}", path, ex.Message);
            return new DeliveryResult(false, null, null, ex.Message);
        }
        catch (TaskCanceledException)
        {
            logger.LogWarning("POST {Path} timed out after {Timeout}.", path, http.Timeout);
            return new DeliveryResult(false, null, null, $"no answer within {http.Timeout.TotalSeconds:0} s");
        }
    }
}
