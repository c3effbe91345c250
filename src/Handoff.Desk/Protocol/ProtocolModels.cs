using System.Text.Json;
using System.Text.Json.Serialization;

namespace Handoff.Desk;

/// <summary>The GPTBots-style wire format: snake_case both ways, numbers tolerated as strings.</summary>
internal static class ProtocolJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary><c>{ "code": 0, "message": "ok" }</c>; failures carry their HTTP status as the code.</summary>
internal sealed record ProtocolReply(int Code, string Message)
{
    public static IResult Ok() => Results.Json(new ProtocolReply(0, "ok"), ProtocolJson.Options);

    public static IResult Fail(int status, string message) =>
        Results.Json(new ProtocolReply(status, message), ProtocolJson.Options, statusCode: status);
}

internal sealed record EstablishPayload(
    string? ConversationId, long? Timestamp, string? Email, string? BotId, List<HistoryPayload?>? Body, UserInfoPayload? UserInfo);

internal sealed record HistoryPayload(string? MessageType, string? Text);

internal sealed record UserInfoPayload(string? Email, string? UserId, string? AnonymousId, string? Phone);

internal sealed record ChatPayload(string? ConversationId, long? Timestamp, string? Body, string? MessageId);

internal sealed record ClosePayload(string? ConversationId, long? Timestamp, string? Type);

internal sealed record HumanMessagePayload(string ConversationId, long Timestamp, string Body, string? MessageId, string? SenderName);

internal sealed record HumanClosePayload(string ConversationId, long Timestamp);
