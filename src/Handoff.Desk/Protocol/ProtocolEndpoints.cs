using System.Text.Json;

namespace Handoff.Desk;

/// <summary>
/// The desk's side of the generic webhook protocol: what the Handoff service calls under <c>Desk:BasePath</c>.
/// A rejected call changes nothing; a repeated one (the service retries after a lost answer) is answered 200 again.
/// </summary>
internal static class ProtocolEndpoints
{
    public static WebApplication MapDeskProtocol(this WebApplication app, string basePath)
    {
        var group = app.MapGroup(basePath).AddEndpointFilter<InboundGuard>();
        group.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], () => ProtocolReply.Ok());
        group.MapPost("/conversation/establish", Establish);
        group.MapPost("/chat", Chat);
        group.MapPost("/conversation/close", Close);
        return app;
    }

    private static IResult Establish(HttpContext context, DeskStore store, TimeProvider time, ILoggerFactory loggers)
    {
        if (!TryParse<EstablishPayload>(context, out var payload, out var error))
            return error;
        if (string.IsNullOrWhiteSpace(payload.ConversationId))
            return MissingConversationId();

        var history = new List<(string From, string Text)>();
        foreach (var entry in payload.Body ?? [])
        {
            var from = entry?.MessageType?.ToUpperInvariant() switch
            {
                "QUESTION" => DeskItem.FromUser,
                "ANSWER" => DeskItem.FromBot,
                _ => null,
            };
            // Strict on purpose: this desk is the reference the service is tested against, so a bad body must show.
            if (from is null)
                return ProtocolReply.Fail(StatusCodes.Status400BadRequest, "body[].message_type must be QUESTION or ANSWER.");
            if (entry!.Text is null)
                return ProtocolReply.Fail(StatusCodes.Status400BadRequest, "body[].text is required.");
            history.Add((from, entry.Text));
        }

        var user = payload.UserInfo is { } u ? new DeskUserInfo(u.Email, u.UserId, u.AnonymousId, u.Phone) : null;
        var email = payload.Email ?? user?.Email;
        var change = store.Open(payload.ConversationId, email, payload.BotId, user, history, time.GetUtcNow());

        loggers.CreateLogger(typeof(ProtocolEndpoints)).LogInformation(
            change == DeskChange.Applied ? "Conversation {ConversationId} established with {Count} history items." :
                "Conversation {ConversationId} established again; kept the first one ({Count} history items ignored).",
            payload.ConversationId, history.Count);
        return ProtocolReply.Ok();
    }

    private static IResult Chat(HttpContext context, DeskStore store, TimeProvider time)
    {
        if (!TryParse<ChatPayload>(context, out var payload, out var error))
            return error;
        if (string.IsNullOrWhiteSpace(payload.ConversationId))
            return MissingConversationId();
        if (payload.Body is null)
            return ProtocolReply.Fail(StatusCodes.Status400BadRequest, "body is required.");

        var messageId = string.IsNullOrEmpty(payload.MessageId) ? null : payload.MessageId;
        return store.AddUserMessage(payload.ConversationId, messageId, payload.Body, time.GetUtcNow()) switch
        {
            DeskChange.NotFound => UnknownConversation(payload.ConversationId),
            DeskChange.Closed => ProtocolReply.Fail(StatusCodes.Status409Conflict, "Conversation is closed."),
            _ => ProtocolReply.Ok(),
        };
    }

    private static IResult Close(HttpContext context, DeskStore store, TimeProvider time)
    {
        if (!TryParse<ClosePayload>(context, out var payload, out var error))
            return error;
        if (string.IsNullOrWhiteSpace(payload.ConversationId))
            return MissingConversationId();
        var type = payload.Type?.ToUpperInvariant();
        if (type is not ("TIMEOUT" or "USER_CLOSED"))
            return ProtocolReply.Fail(StatusCodes.Status400BadRequest, "type must be TIMEOUT or USER_CLOSED.");

        return store.CloseFromService(payload.ConversationId, type, time.GetUtcNow()) switch
        {
            DeskChange.NotFound => UnknownConversation(payload.ConversationId),
            _ => ProtocolReply.Ok(),
        };
    }

    private static bool TryParse<T>(HttpContext context, out T payload, out IResult error) where T : class
    {
        payload = null!;
        error = null!;
        try
        {
            var parsed = JsonSerializer.Deserialize<T>(InboundGuard.RawBody(context), ProtocolJson.Options);
            if (parsed is null)
            {
                error = ProtocolReply.Fail(StatusCodes.Status400BadRequest, "Body must be a JSON object.");
                return false;
            }
            payload = parsed;
            return true;
        }
        catch (JsonException ex)
        {
            error = ProtocolReply.Fail(StatusCodes.Status400BadRequest, $"Malformed JSON: {ex.Message}");
            return false;
        }
    }

    private static IResult MissingConversationId() =>
        ProtocolReply.Fail(StatusCodes.Status400BadRequest, "conversation_id is required.");

    private static IResult UnknownConversation(string conversationId) =>
        ProtocolReply.Fail(StatusCodes.Status404NotFound, $"Unknown conversation_id '{conversationId}'.");
}
