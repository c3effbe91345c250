using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Handoff.HelpDesks.LiveChat;

/// <summary>
/// Reads LiveChat chat webhooks (shared/helpdesks.md 2.5): the secret key travels inside the JSON body, compared in
/// constant time; <c>incoming_event</c> gives agent messages (customer echoes and agents-only events skipped, files as
/// links), <c>chat_deactivated</c> ends the hand-off, also when the router closed the chat.
/// </summary>
public static class LiveChatWebhook
{
    /// <remarks>Echoes of our own customer are recognised by the receiver, which knows each chat's customer id.</remarks>
    public static WebhookVerdict Read(IReadOnlyDictionary<string, string> settings, byte[] rawBody)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(rawBody).RootElement;
        }
        catch (JsonException)
        {
            return WebhookVerdict.Malformed("the body is not JSON");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return WebhookVerdict.Malformed("not a LiveChat webhook");
        }

        if (settings.GetValueOrDefault("webhookSecretKey") is { Length: > 0 } secret)
        {
            var given = root.TryGetProperty("secret_key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : "";
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(secret)))
            {
                return WebhookVerdict.Unauthorized("wrong secret_key");
            }
        }

        var action = root.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
        var payload = root.TryGetProperty("payload", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        if (action is null || payload.ValueKind != JsonValueKind.Object)
        {
            return WebhookVerdict.Malformed("a LiveChat webhook needs action and payload");
        }

        var chatId = payload.TryGetProperty("chat_id", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        switch (action)
        {
            case "incoming_event" when chatId is not null && payload.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.Object:
                var id = Str(e, "id");
                var author = Str(e, "author_id");
                var visibility = Str(e, "visibility") ?? Str(e, "recipients");
                var type = Str(e, "type");
                if (id is null)
                {
                    return WebhookVerdict.Malformed("the event has no id");
                }

                if (visibility == "agents" || author is null)
                {
                    return WebhookVerdict.Accepted();
                }

                var text = type switch
                {
                    "message" => Str(e, "text"),
                    "file" => $"[file] {Str(e, "name") ?? "attachment"}: {Str(e, "url")}",
                    _ => null,
                };
                return string.IsNullOrWhiteSpace(text)
                    ? WebhookVerdict.Accepted()
                    : WebhookVerdict.Accepted(new HelpDeskEvent(HelpDeskEventKind.HumanMessage, chatId, text, author, "livechat:" + id));
            case "chat_deactivated" when chatId is not null:
                var thread = Str(payload, "thread_id") ?? "";
                return WebhookVerdict.Accepted(new HelpDeskEvent(HelpDeskEventKind.HumanEnded, chatId, null, Str(payload, "user_id"), $"livechat:{chatId}:{thread}"));
            case "incoming_event" or "chat_deactivated":
                return WebhookVerdict.Malformed($"{action} without chat_id");
            default:
                return WebhookVerdict.Accepted();
        }
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
