using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Handoff.HelpDesks.LiveChat;

/// <summary>
/// Reads LiveChat chat webhooks (docs/helpdesks.md 2.5): the secret key travels inside the JSON body, compared in
/// constant time; <c>incoming_event</c> gives agent messages (agents-only events skipped, files as links) and customer
/// messages, <c>incoming_chat</c> the customer's first messages of a chat or thread (help-desk → help-desk mode),
/// <c>chat_deactivated</c> ends the hand-off, also when the router closed the chat. Every event names its author, so
/// the receiver can drop our bot's echoes.
/// </summary>
public static class LiveChatWebhook
{
    /// <remarks>
    /// Echoes of our own customer are recognised by the receiver, which knows each chat's customer id. An
    /// <c>incoming_event</c> does not say whether its author is a customer: customer ids are UUIDs and agent ids
    /// e-mails (0a), so a UUID author is a customer (a user message), any other an agent (a human, or our bot).
    /// </remarks>
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

                var text = TextOf(e, type);
                if (string.IsNullOrWhiteSpace(text))
                {
                    return WebhookVerdict.Accepted();
                }

                return WebhookVerdict.Accepted(IsCustomerId(author)
                    ? new HelpDeskEvent(HelpDeskEventKind.UserMessage, chatId, text, null, "livechat:" + id, author)
                    : new HelpDeskEvent(HelpDeskEventKind.HumanMessage, chatId, text, author, "livechat:" + id, author));
            case "incoming_chat":
                return IncomingChat(payload);
            case "chat_deactivated" when chatId is not null:
                var thread = Str(payload, "thread_id") ?? "";
                var by = Str(payload, "user_id");
                return WebhookVerdict.Accepted(new HelpDeskEvent(HelpDeskEventKind.HumanEnded, chatId, null, by, $"livechat:{chatId}:{thread}", by));
            case "incoming_event" or "chat_deactivated":
                return WebhookVerdict.Malformed($"{action} without chat_id");
            default:
                return WebhookVerdict.Accepted();
        }
    }

    /// <summary>
    /// A new chat (or a new thread of an inactive one) reached the bot: the customer's messages in the thread are user
    /// messages. Customers are the chat's users of type <c>customer</c>; without a users list, UUID authors.
    /// </summary>
    private static WebhookVerdict IncomingChat(JsonElement payload)
    {
        var chat = payload.TryGetProperty("chat", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        var chatId = chat.ValueKind == JsonValueKind.Object ? Str(chat, "id") : null;
        if (chatId is null)
        {
            return WebhookVerdict.Malformed("incoming_chat without chat.id");
        }

        var customerUsers = chat.TryGetProperty("users", out var users) && users.ValueKind == JsonValueKind.Array
            ? users.EnumerateArray().Where(u => u.ValueKind == JsonValueKind.Object && Str(u, "type") == "customer").ToList()
            : null;
        var customers = customerUsers?.Select(u => Str(u, "id")).OfType<string>().ToHashSet();
        var customerEmail = customerUsers?.Select(u => Str(u, "email")).FirstOrDefault(e => !string.IsNullOrWhiteSpace(e));
        // Payloads name the thread "thread"; some older ones carry a "threads" list: the last is the new one.
        var thread = chat.TryGetProperty("thread", out var t) && t.ValueKind == JsonValueKind.Object
            ? t
            : chat.TryGetProperty("threads", out var ts) && ts.ValueKind == JsonValueKind.Array && ts.GetArrayLength() > 0 ? ts[ts.GetArrayLength() - 1] : default;
        if (thread.ValueKind != JsonValueKind.Object || !thread.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
        {
            return WebhookVerdict.Accepted();
        }

        var found = new List<HelpDeskEvent>();
        foreach (var e in events.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
        {
            var id = Str(e, "id");
            var author = Str(e, "author_id");
            var text = TextOf(e, Str(e, "type"));
            var fromCustomer = customers is { Count: > 0 } ? author is not null && customers.Contains(author) : IsCustomerId(author);
            if (id is not null && fromCustomer && (Str(e, "visibility") ?? Str(e, "recipients")) != "agents" && !string.IsNullOrWhiteSpace(text))
            {
                found.Add(new HelpDeskEvent(HelpDeskEventKind.UserMessage, chatId, text, null, "livechat:" + id, author, customerEmail));
            }
        }

        return WebhookVerdict.Accepted([.. found]);
    }

    private static string? TextOf(JsonElement e, string? type) => type switch
    {
        "message" => Str(e, "text"),
        "file" => $"[file] {Str(e, "name") ?? "attachment"}: {Str(e, "url")}",
        _ => null,
    };

    private static bool IsCustomerId(string? author) => Guid.TryParseExact(author, "D", out _);

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
