using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Contracts.HelpDesks;
using Handoff.Host.Api;
using Handoff.Host.Security;
using Handoff.HelpDesks;

namespace Handoff.Host.Webhooks;

/// <summary>
/// <c>POST /webhooks/{kind}/{receivingKey}</c>: the receiving address of every registered help-desk kind that receives
/// there (all but the generic webhook protocol). The key in the path is checked first (an HMAC: no grain for a bad
/// one), then the kind's descriptor reads the call (the desk's own signature, then the body), then each event is
/// recorded by its conversation before we answer 200. An unregistered kind is a 404.
/// </summary>
public static class HelpDeskWebhookEndpoints
{
    private const int MaxBody = 256 * 1024;

    public static IEndpointRouteBuilder MapHelpDeskWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhooks/{kind}/{receivingKey}", ReceiveAsync).RequireRateLimiting(RateLimits.HelpDeskWebhooks);

        // Some desks (SalesIQ) check a webhook URL with a HEAD request when the webhook is created or updated, and want a 200.
        app.MapMethods("/webhooks/{kind}/{receivingKey}", [HttpMethods.Head], (string kind, string receivingKey, HandoffKeys keys, HelpDeskCatalog catalog) =>
            catalog.Find(kind) is not { ReceivesAtWebhookPath: true, AnswersHeadCheck: true } ? Results.StatusCode(404)
            : keys.ReadReceivingKey(receivingKey) is null ? Results.StatusCode(401)
            : Results.Ok())
            .RequireRateLimiting(RateLimits.Public);
        return app;
    }

    private static async Task<IResult> ReceiveAsync(string kind, string receivingKey, HttpRequest request, IGrainFactory grains, HandoffKeys keys, TimeProvider time,
        IConfiguration config, HelpDeskCatalog catalog)
    {
        if (catalog.Find(kind) is not { ReceivesAtWebhookPath: true } descriptor)
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

        if (descriptor.InlineBot is { } inlineBot && inlineBot.Recognises(request.Headers, raw))
        {
            return await InlineBotAsync(descriptor, inlineBot, key.AgentId, connection, request, raw, grains, config);
        }

        var verdict = descriptor.ReadWebhook(connection.Settings, request.Headers, raw, time.GetUtcNow());
        if (verdict.Status != 200)
        {
            return Answer(verdict.Status, verdict.Problem!);
        }

        // A batch (Sobot's forwarding) carries the company's whole traffic: an item for a conversation that is not
        // ours (or has ended) is skipped, not answered with an error that would make the desk send the batch again.
        var batch = verdict.Batch;
        var skipped = 0;
        var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(key.AgentId));
        var inDesk = verdict.Events.Count > 0 && (await agent.GetHandoffSettingsAsync())?.Mode == HandoffSettings.HelpDeskToHelpDesk;
        string? botIdentity = null;
        if (inDesk && verdict.Events.Any(e => e.AuthorId is not null))
        {
            try
            {
                botIdentity = await grains.GetGrain<IHelpDeskGrain>(AgentKeys.For(key.AgentId)).BotIdentityAsync(connection);
            }
            catch (HelpDeskFailedException ex)
            {
                // Without the bot's identity an echo could pass for a human: let the desk send it again later.
                return Answer(503, "the bot's identity at the help-desk is not known yet: " + ex.Message);
            }
        }

        foreach (var e in verdict.Events)
        {
            var linkGrain = grains.GetGrain<IHandoffLinkGrain>(HandoffLinks.ForDesk(kind, key.AgentId, e.DeskConversationId));
            if (e.Kind == HelpDeskEventKind.UserMessage)
            {
                // Only in help-desk → help-desk mode is the desk's messenger ours; otherwise the user's words are our own echo.
                if (inDesk && e.Text is { Length: > 0 } userText && (botIdentity is null || e.AuthorId != botIdentity))
                {
                    var desk = await linkGrain.EnsureDeskConversationAsync(key.AgentId, kind, e.DeskConversationId);
                    try
                    {
                        await grains.GetGrain<IConversationGrain>(desk.ConversationId).ReceiveDeskUserMessageAsync(userText, e.DedupeKey, e.UserEmail);
                    }
                    catch (ConversationRefusedException ex)
                    {
                        return Answer(400, ex.Message);
                    }
                }

                continue;
            }

            if (inDesk && botIdentity is not null && e.AuthorId == botIdentity)
            {
                continue; // our bot's own reply or close, echoed back by the desk
            }

            var link = await linkGrain.GetAsync();
            if (link?.HandoffId is null || link.AgentId != key.AgentId)
            {
                if (batch || (inDesk && link?.AgentId == key.AgentId))
                {
                    // In the desk's messenger a human may write while the bot holds the conversation: not a hand-off of ours.
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
                HelpDeskEventKind.Missed => HumanEvent.Missed,
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

        return skipped > 0 && batch ? Results.Ok(new { ok = true, skipped }) : Results.Ok(new { ok = true });
    }

    /// <summary>
    /// A desk bot's call that must be answered in its own HTTP answer (SalesIQ's Zobot, help-desk → help-desk mode):
    /// the visitor's message is recorded and answered within the desk's window, because the bot cannot speak
    /// otherwise; a slow model gets the holding reply instead, and its words follow with the next answer.
    /// </summary>
    private static async Task<IResult> InlineBotAsync(HelpDeskDescriptor descriptor, HelpDeskInlineBot bot, string agentId, HelpDeskConnection connection,
        HttpRequest request, byte[] raw, IGrainFactory grains, IConfiguration config)
    {
        var (call, refusal) = bot.Read(connection.Settings, request.Headers, raw);
        if (refusal is not null)
        {
            return Answer(refusal.Status, refusal.Problem!);
        }

        if ((await grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId)).GetHandoffSettingsAsync())?.Mode != HandoffSettings.HelpDeskToHelpDesk)
        {
            return Answer(409, $"a {descriptor.DisplayName} bot call reached an agent that is not in helpdesk-to-helpdesk mode");
        }

        var desk = await grains.GetGrain<IHandoffLinkGrain>(HandoffLinks.ForDesk(descriptor.Kind, agentId, call!.ConversationId))
            .EnsureDeskConversationAsync(agentId, descriptor.Kind, call.ConversationId);
        var conversation = grains.GetGrain<IConversationGrain>(desk.ConversationId);
        if (call.Text is { } text)
        {
            var turn = ReceiveAndWaitForBotAsync(conversation, text, call.MessageId, call.VisitorEmail);
            if (await Task.WhenAny(turn, Task.Delay(bot.AnswerWithin(config))) != turn)
            {
                _ = turn.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                return Results.Json(bot.Answer([bot.HoldingReply], false, connection.Settings));
            }

            try
            {
                await turn;
            }
            catch (ConversationRefusedException ex)
            {
                return Answer(400, ex.Message);
            }
        }

        var answer = await conversation.TakeDeskAnswerAsync();
        return Results.Json(bot.Answer(answer.Replies, answer.Forward, connection.Settings));
    }

    /// <summary>The visitor's message is acknowledged first; the bot's turn runs after it, and the answer waits for that turn.</summary>
    private static async Task ReceiveAndWaitForBotAsync(IConversationGrain conversation, string text, string messageId, string? email)
    {
        var sent = await conversation.ReceiveDeskUserMessageAsync(text, messageId, email);
        await conversation.WaitForBotAsync(sent.Seq);
    }

    private static IResult Answer(int status, string message) => Results.Json(new { status, message }, statusCode: status);
}
