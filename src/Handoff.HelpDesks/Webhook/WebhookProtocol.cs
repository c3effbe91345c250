using System.Text.Json.Serialization;

namespace Handoff.HelpDesks.Webhook;

// The generic webhook protocol is snake_case: it is wire-compatible with GPTBots' webhook mode.

public sealed record WebhookBodyItem(
    [property: JsonPropertyName("message_type")] string MessageType,
    [property: JsonPropertyName("text")] string Text);

public sealed record WebhookUserInfo(
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("user_id")] string? UserId,
    [property: JsonPropertyName("anonymous_id")] string AnonymousId,
    [property: JsonPropertyName("phone")] string? Phone);

public sealed record WebhookEstablish(
    [property: JsonPropertyName("conversation_id")] string ConversationId,
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("bot_id")] string BotId,
    [property: JsonPropertyName("body")] IReadOnlyList<WebhookBodyItem> Body,
    [property: JsonPropertyName("user_info")] WebhookUserInfo UserInfo);

public sealed record WebhookChat(
    [property: JsonPropertyName("conversation_id")] string ConversationId,
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("body")] string Body,
    [property: JsonPropertyName("message_id")] string MessageId);

public sealed record WebhookClose(
    [property: JsonPropertyName("conversation_id")] string ConversationId,
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("type")] string Type);

/// <summary>What the desk posts to <c>/v1/human/message/receive</c> and <c>/v1/human/close</c>.</summary>
public sealed class WebhookHumanRequest
{
    [JsonPropertyName("conversation_id")] public string? ConversationId { get; set; }
    [JsonPropertyName("timestamp")] public long? Timestamp { get; set; }
    [JsonPropertyName("body")] public string? Body { get; set; }
    [JsonPropertyName("message_id")] public string? MessageId { get; set; }
    [JsonPropertyName("sender_name")] public string? SenderName { get; set; }
}

public sealed record WebhookDeskSettings(Uri BaseUrl, string? Username, string? Password, string? SigningSecret)
{
    public static WebhookDeskSettings From(IReadOnlyDictionary<string, string> settings) => new(
        new Uri(settings["url"].TrimEnd('/') + "/"),
        settings.GetValueOrDefault("username"),
        settings.GetValueOrDefault("password"),
        settings.GetValueOrDefault("signingSecret"));
}
