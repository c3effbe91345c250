using System.Text.Json;
using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Host.Api;
using Handoff.Host.Security;
using Handoff.HelpDesks.Webhook;

namespace Handoff.Host.Webhooks;

/// <summary>
/// The generic webhook desk calls us here. Order matters: the bearer key and body are checked before any grain
/// is touched, and 200 is answered only after the conversation grain has recorded the event.
/// </summary>
public static class WebhookDeskEndpoints
{
    private const int MaxBody = 64 * 1024;

    public static IEndpointRouteBuilder MapWebhookDeskEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/human/message/receive", (HttpRequest request, IGrainFactory grains, HandoffKeys keys, TimeProvider time) =>
            ReceiveAsync(request, grains, keys, time, HumanEvent.Message)).RequireRateLimiting(RateLimits.HelpDeskWebhooks);
        app.MapPost("/v1/human/close", (HttpRequest request, IGrainFactory grains, HandoffKeys keys, TimeProvider time) =>
            ReceiveAsync(request, grains, keys, time, HumanEvent.Closed)).RequireRateLimiting(RateLimits.HelpDeskWebhooks);
        return app;
    }

    private static async Task<IResult> ReceiveAsync(HttpRequest request, IGrainFactory grains, HandoffKeys keys, TimeProvider time, string kind)
    {
        if (keys.ReadReceivingKey(AuthenticationSetup.BearerOrQueryToken(request, allowQuery: false)) is not { } key)
        {
            return Answer(401, "missing or wrong receiving key");
        }

        if (await WebhookRequests.ReadBodyAsync(request, MaxBody) is not { } raw)
        {
            return Answer(413, "body too large");
        }

        WebhookHumanRequest? body;
        try
        {
            body = JsonSerializer.Deserialize<WebhookHumanRequest>(raw);
        }
        catch (JsonException)
        {
            return Answer(400, "the body is not valid JSON");
        }

        if (body?.ConversationId is not { Length: > 0 and <= 100 } handoffId || (kind == HumanEvent.Message && string.IsNullOrWhiteSpace(body.Body)))
        {
            return Answer(400, kind == HumanEvent.Message ? "conversation_id and body are required" : "conversation_id is required");
        }

        var connection = await grains.GetGrain<IAgentGrain>(AgentKeys.For(key.AgentId)).GetHelpDeskAsync();
        if (connection?.Kind != WebhookDescriptor.KindName || connection.ReceivingSecret != key.Nonce)
        {
            return Answer(401, "missing or wrong receiving key");
        }

        if (connection.Settings.GetValueOrDefault("signingSecret") is { Length: > 0 } secret &&
            !WebhookSignature.Verify(request.Headers[WebhookSignature.HeaderName], secret, raw, time.GetUtcNow()))
        {
            return Answer(401, "missing, wrong or stale signature");
        }

        var link = await grains.GetGrain<IHandoffLinkGrain>(handoffId).GetAsync();
        if (link is null || link.AgentId != key.AgentId)
        {
            return Answer(404, "unknown conversation_id");
        }

        var refused = await WebhookRequests.RecordAsync(grains, link.ConversationId,
            new HumanEvent(handoffId, kind, body.Body, body.MessageId, body.SenderName, time.GetUtcNow()));
        if (refused is { } r)
        {
            return Answer(r.Status, r.Status == 404 ? "unknown conversation_id" : r.Message);
        }

        return Results.Ok(new { code = 0, message = "ok" });
    }

    private static IResult Answer(int status, string message) => Results.Json(new { code = status, message }, statusCode: status);
}
