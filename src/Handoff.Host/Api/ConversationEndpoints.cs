using System.Security.Cryptography;
using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Core.Conversations;
using Handoff.HelpDesks;
using Handoff.Host.Security;

namespace Handoff.Host.Api;

/// <summary>Chat-session creation (public) and the conversation API for operators, channel adapters and bot runtimes.</summary>
public static class ConversationEndpoints
{
    /// <summary>Our own channels; the registered desks add theirs (their kinds, for chats inside a desk's messenger or widget).</summary>
    private static readonly string[] OwnChannels = ["widget", "iframe", "share", "api", "whatsapp", "line", "telegram"];

    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(24);

    public sealed record CreateConversationBody(string? Channel, string? Email, string? UserId);
    public sealed record MessageBody(string? From, string? Text, string? ClientMessageId);
    public sealed record HandoffBody(string? Reason);

    public static IEndpointRouteBuilder MapConversationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/agents/{agentId}/conversations", async (string agentId, CreateConversationBody? body, IGrainFactory grains, HandoffKeys keys, TimeProvider time, HelpDeskCatalog catalog) =>
        {
            if (!AgentIds.IsValid(agentId)) return AgentIds.Invalid();
            var errors = new Dictionary<string, string[]>();
            var channel = body?.Channel ?? "widget";
            if (!OwnChannels.Contains(channel) && !catalog.IsHelpDeskChannel(channel))
                errors["channel"] = [$"must be one of: {string.Join(", ", OwnChannels.Concat(catalog.HelpDeskChannels))}"];
            string? email = null;
            if (body?.Email is { Length: > 0 } e && !EmailAddress.TryNormalize(e, out email)) errors["email"] = ["is not a valid e-mail address"];
            if (body?.UserId is { Length: > 200 }) errors["userId"] = ["at most 200 characters"];
            if (errors.Count > 0) return Results.ValidationProblem(errors);
            if (!await grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId)).ExistsAsync()) return AgentEndpoints.UnknownAgent(agentId);

            var conversationId = "c" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
            await grains.GetGrain<IConversationGrain>(conversationId).CreateAsync(agentId, channel, email, body?.UserId);
            var expiresAt = time.GetUtcNow() + TokenLifetime;
            return Results.Created($"/api/conversations/{conversationId}",
                new { conversationId, token = keys.CreateChatToken(conversationId, agentId, expiresAt), expiresAt });
        }).RequireRateLimiting(RateLimits.Public);

        var conversations = app.MapGroup("/api/conversations/{conversationId}").RequireAuthorization(AuthenticationSetup.AdminPolicy);

        conversations.MapGet("", (string conversationId, IGrainFactory grains) =>
            Refusals.Guard(async () => Results.Ok(await Conversation(grains, conversationId).GetAsync(ConversationLimits.JoinWindow))));

        conversations.MapPost("/messages", (string conversationId, MessageBody body, IGrainFactory grains) => Refusals.Guard(async () =>
        {
            var grain = Conversation(grains, conversationId);
            var result = body.From switch
            {
                "user" => await grain.SendUserMessageAsync(body.Text ?? "", body.ClientMessageId),
                "bot" => await grain.AddBotMessageAsync(body.Text ?? "", body.ClientMessageId),
                _ => null,
            };
            return result is null
                ? Results.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["must be 'user' or 'bot'"] })
                : Results.Ok(new { seq = result.Seq });
        }));

        conversations.MapPost("/handoff", (string conversationId, HandoffBody? body, IGrainFactory grains) => Refusals.Guard(async () =>
        {
            var outcome = await Conversation(grains, conversationId).RequestHandoffAsync(body?.Reason);
            return Results.Ok(new { outcome = outcome.Outcome, handoffId = outcome.HandoffId });
        }));

        conversations.MapDelete("/handoff", (string conversationId, IGrainFactory grains) => Refusals.Guard(async () =>
        {
            await Conversation(grains, conversationId).EndHandoffByUserAsync();
            return Results.NoContent();
        }));

        return app;
    }

    private static IConversationGrain Conversation(IGrainFactory grains, string conversationId) =>
        ConversationIds.IsWellFormed(conversationId)
            ? grains.GetGrain<IConversationGrain>(conversationId)
            : throw new ConversationRefusedException(ConversationRefusedException.NotFound, "no such conversation");
}

public static class ConversationIds
{
    // Malformed ids are refused before any grain is activated for them.
    public static bool IsWellFormed(string? id) => id is { Length: >= 20 and <= 64 } && id[0] == 'c' && id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_');
}

/// <summary>Turns a conversation's refusal into the matching problem response.</summary>
public static class Refusals
{
    public static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (ConversationRefusedException ex)
        {
            return ex.Code switch
            {
                ConversationRefusedException.NotFound => Results.Problem(statusCode: 404, title: "Not found", detail: ex.Message),
                ConversationRefusedException.Ended => Results.Problem(statusCode: 409, title: "Hand-off ended", detail: ex.Message),
                _ => Results.Problem(statusCode: 400, title: "Invalid request", detail: ex.Message),
            };
        }
    }
}
