using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Host.Api;
using Handoff.Host.Security;
using Handoff.HelpDesks;
using Handoff.HelpDesks.Intercom;
using Handoff.HelpDesks.LiveChat;
using Handoff.HelpDesks.Livedesk;
using Handoff.HelpDesks.Sobot;

namespace Handoff.Host.Webhooks;

/// <summary>
/// <c>POST /webhooks/{kind}/{receivingKey}</c>: the receiving address of every help-desk kind but the generic webhook.
/// The key in the path is checked first (an HMAC: no grain for a bad one), then the desk's own signature, then each
/// event is recorded by its conversation before we answer 200.
/// </summary>
public static class HelpDeskWebhookEndpoints
{
    private const int MaxBody = 256 * 1024;

    public static IEndpointRouteBuilder MapHelpDeskWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhooks/{kind}/{receivingKey}", ReceiveAsync).RequireRateLimiting(RateLimits.Public);
        return app;
    }

    private static async Task<IResult> ReceiveAsync(string kind, string receivingKey, HttpRequest request, IGrainFactory grains, HandoffKeys keys, TimeProvider time)
    {
        if (kind is not ("intercom" or "livechat" or "livedesk" or "sobot"))
        {
            return Answer(404, $"no receiver for kind '{kind}'");
        }

        if (keys.ReadReceivingKey(receivingKey) is not { } key)
        {
            return Answer(401, "wrong receiving address");
        }

        if (await WebhookRequests.ReadBodyAsync(request, MaxBody) is not { } raw)
        {
            return Answer(413, "body too large");
        }

        var connection = await grains.GetGrain<IAgentGrain>(AgentKeys.For(key.AgentId)).GetHelpDeskAsync();
        if (connection is null || connection.Kind != kind || connection.ReceivingSecret != key.Nonce)
        {
            return Answer(401, "wrong receiving address");
        }

        var batch = false;
        var verdict = kind switch
        {
            "intercom" => IntercomWebhook.Read(connection.Settings, request.Headers[IntercomWebhook.SignatureHeader], raw),
            "livechat" => LiveChatWebhook.Read(connection.Settings, raw),
            "sobot" => SobotWebhook.Read(connection.Settings, request.Headers[SobotWebhook.SignHeader], request.Headers[SobotWebhook.TimestampHeader],
                request.Headers[SobotWebhook.RandomCodeHeader], raw, time.GetUtcNow(), out batch),
            _ => LivedeskWebhook.Read(connection.Settings, request.Headers["X-Chatwoot-Signature"], request.Headers["X-Chatwoot-Timestamp"],
                request.Headers["X-Chatwoot-Delivery"], raw, time.GetUtcNow()),
        };
        if (verdict.Status != 200)
        {
            return Answer(verdict.Status, verdict.Problem!);
        }

        // A Sobot forwarding batch carries the company's whole traffic: an item for a conversation that is not ours
        // (or has ended) is skipped, not answered with an error that would make Sobot send the batch again.
        var skipped = 0;
        foreach (var e in verdict.Events)
        {
            var link = await grains.GetGrain<IHandoffLinkGrain>(HandoffLinks.ForDesk(kind, key.AgentId, e.DeskConversationId)).GetAsync();
            if (link?.HandoffId is null || link.AgentId != key.AgentId)
            {
                if (batch)
                {
                    skipped++;
                    continue;
                }

                return Answer(404, "unknown conversation");
            }

            if (e.Kind == HelpDeskEventKind.HumanMessage && link.DeskUserId is not null && e.SenderName == link.DeskUserId)
            {
                continue; // our own user's message, echoed back by the desk
            }

            var humanEvent = new HumanEvent(link.HandoffId, e.Kind switch
            {
                HelpDeskEventKind.HumanMessage => HumanEvent.Message,
                HelpDeskEventKind.HumanEnded => HumanEvent.Closed,
                HelpDeskEventKind.Snoozed => HumanEvent.Snoozed,
                _ => HumanEvent.Read,
            }, e.Text, e.DedupeKey, e.SenderName, time.GetUtcNow());
            if (await WebhookRequests.RecordAsync(grains, link.ConversationId, humanEvent) is { } refused)
            {
                if (batch && refused.Status is 404 or 409)
                {
                    skipped++;
                    continue;
                }

                return Answer(refused.Status, refused.Message);
            }
        }

        return skipped > 0 ? Results.Ok(new { ok = true, skipped }) : Results.Ok(new { ok = true });
    }

    private static IResult Answer(int status, string message) => Results.Json(new { status, message }, statusCode: status);
}
