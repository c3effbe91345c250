using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Handoff.HelpDesks.Livedesk;

/// <summary>
/// Reads LiveDesk API-channel webhooks in Chatwoot's shape (shared/helpdesks.md 4.4, 4.5; the event shapes are [?]):
/// <c>message_created</c> that is outgoing, not private and from a <c>user</c> is the human's message;
/// <c>conversation_status_changed</c> / <c>conversation_updated</c> to <c>resolved</c> ends the hand-off. With a webhook
/// secret, Chatwoot's signature is required: <c>X-Chatwoot-Signature: sha256=hex(HMAC-SHA256(secret, "&lt;ts&gt;.&lt;body&gt;"))</c>.
/// </summary>
public static class LivedeskWebhook
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    public static WebhookVerdict Read(IReadOnlyDictionary<string, string> settings, string? signature, string? timestamp, string? delivery, byte[] rawBody, DateTimeOffset now)
    {
        if (settings.GetValueOrDefault("webhookSecret") is { Length: > 0 } secret)
        {
            if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ts) ||
                Math.Abs(now.ToUnixTimeSeconds() - ts) > Tolerance.TotalSeconds ||
                signature is null ||
                !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature.Trim().ToLowerInvariant()), Encoding.ASCII.GetBytes(Sign(secret, timestamp!, rawBody))))
            {
                return WebhookVerdict.Unauthorized("missing, wrong or stale X-Chatwoot-Signature");
            }
        }

        JsonElement root;
        try
        {
            root = JsonDocument.Parse(rawBody).RootElement;
        }
        catch (JsonException)
        {
            return WebhookVerdict.Malformed("the body is not JSON");
        }

        var kind = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (kind is null)
        {
            return WebhookVerdict.Malformed("a LiveDesk webhook needs an event");
        }

        switch (kind)
        {
            case "message_created":
                var conversationId = root.TryGetProperty("conversation", out var c) && c.ValueKind == JsonValueKind.Object && c.TryGetProperty("id", out var cid) ? Scalar(cid) : null;
                var id = root.TryGetProperty("id", out var mid) ? Scalar(mid) : null;
                if (conversationId is null || id is null)
                {
                    return WebhookVerdict.Malformed("message_created needs id and conversation.id");
                }

                var outgoing = Str(root, "message_type") is "outgoing" || (root.TryGetProperty("message_type", out var mt) && mt.ValueKind == JsonValueKind.Number && mt.GetInt32() == 1);
                var isPrivate = root.TryGetProperty("private", out var p) && p.ValueKind == JsonValueKind.True;
                var sender = root.TryGetProperty("sender", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
                var senderType = sender.ValueKind == JsonValueKind.Object ? Str(sender, "type") : null;
                if (!outgoing || isPrivate || senderType is "contact")
                {
                    return WebhookVerdict.Accepted();
                }

                var text = Str(root, "content") ?? "";
                if (root.TryGetProperty("attachments", out var files) && files.ValueKind == JsonValueKind.Array)
                {
                    foreach (var file in files.EnumerateArray())
                    {
                        text += (text.Length > 0 ? "\n" : "") + $"[file] {Str(file, "data_url")}";
                    }
                }

                return text.Trim().Length == 0
                    ? WebhookVerdict.Accepted()
                    : WebhookVerdict.Accepted(new HelpDeskEvent(HelpDeskEventKind.HumanMessage, conversationId, text.Trim(),
                        sender.ValueKind == JsonValueKind.Object ? Str(sender, "name") : null, "livedesk:" + id));
            case "conversation_status_changed" or "conversation_updated" or "conversation_resolved":
                var conversation = root.TryGetProperty("conversation", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : root;
                var status = Str(conversation, "status") ?? Str(root, "status");
                var convId = conversation.TryGetProperty("id", out var ci) ? Scalar(ci) : null;
                if (convId is null)
                {
                    return WebhookVerdict.Malformed($"{kind} needs the conversation id");
                }

                return status == "resolved"
                    ? WebhookVerdict.Accepted(new HelpDeskEvent(HelpDeskEventKind.HumanEnded, convId, null, null, $"livedesk:resolved:{convId}:{delivery}"))
                    : WebhookVerdict.Accepted();
            default:
                return WebhookVerdict.Accepted();
        }
    }

    public static string Sign(string secret, string timestamp, byte[] rawBody)
    {
        var data = Encoding.UTF8.GetBytes(timestamp + ".").Concat(rawBody).ToArray();
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data));
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string? Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText(),
        _ => null,
    };
}
