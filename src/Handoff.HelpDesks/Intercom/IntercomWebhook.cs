using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Handoff.HelpDesks.Intercom;

/// <summary>
/// Reads Intercom notifications (docs/helpdesks.md 1.7, with the real payload quirks of 0a): checks
/// <c>X-Hub-Signature</c> (HMAC-SHA1 of the raw body with the app's client secret) when a secret is set, and turns the
/// seed's four topics into events. Unknown topics and pings are accepted with no events.
/// </summary>
public static partial class IntercomWebhook
{
    public const string SignatureHeader = "X-Hub-Signature";

    public static WebhookVerdict Read(IReadOnlyDictionary<string, string> settings, string? signature, byte[] rawBody)
    {
        if (settings.GetValueOrDefault("clientSecret") is { Length: > 0 } secret && !SignatureMatches(secret, signature, rawBody))
        {
            return WebhookVerdict.Unauthorized("missing or wrong X-Hub-Signature");
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

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("topic", out var topicElement) || topicElement.ValueKind != JsonValueKind.String)
        {
            return WebhookVerdict.Malformed("not an Intercom notification (no topic)");
        }

        var topic = topicElement.GetString()!;
        if (topic is not ("conversation.admin.replied" or "conversation.admin.closed" or "conversation.admin.snoozed" or "conversation.read"
            or "conversation.user.created" or "conversation.user.replied"))
        {
            return WebhookVerdict.Accepted();
        }

        var item = root.TryGetProperty("data", out var data) && data.TryGetProperty("item", out var i) ? i : default;
        var conversationId = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var id) ? Scalar(id) : null;
        if (conversationId is null)
        {
            return WebhookVerdict.Malformed("the notification names no conversation (data.item.id)");
        }

        var notificationId = root.TryGetProperty("id", out var n) ? Scalar(n) : null;
        var parts = item.TryGetProperty("conversation_parts", out var list) && list.TryGetProperty("conversation_parts", out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().ToList()
            : [];
        // A retried notification keeps its id; a missing id (pings, old payloads) falls back to the part's own id.
        string Key(JsonElement? part, int index = 0) => notificationId is not null
            ? $"intercom:{notificationId}:{index}"
            : $"intercom:part:{(part is { } p && p.TryGetProperty("id", out var pid) ? Scalar(pid) : topic + ":" + conversationId)}";

        static string? AuthorId(JsonElement part) =>
            part.TryGetProperty("author", out var a) && a.ValueKind == JsonValueKind.Object && a.TryGetProperty("id", out var aid) ? Scalar(aid) : null;
        static string? AuthorEmail(JsonElement part) =>
            part.TryGetProperty("author", out var a) && a.ValueKind == JsonValueKind.Object && a.TryGetProperty("email", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

        switch (topic)
        {
            case "conversation.user.created":
                // The user's first message is the conversation's source, not a part (help-desk → help-desk mode).
                var source = item.TryGetProperty("source", out var src) && src.ValueKind == JsonValueKind.Object ? src : default;
                var first = source.ValueKind == JsonValueKind.Object && source.TryGetProperty("body", out var sb) && sb.ValueKind == JsonValueKind.String ? ToPlainText(sb.GetString()!) : "";
                var sourceId = source.ValueKind == JsonValueKind.Object && source.TryGetProperty("id", out var sid) ? Scalar(sid) : null;
                return first.Length == 0
                    ? WebhookVerdict.Accepted()
                    : WebhookVerdict.Accepted(new HelpDeskEvent(HelpDeskEventKind.UserMessage, conversationId, first, null,
                        "intercom:source:" + (sourceId ?? conversationId), source.ValueKind == JsonValueKind.Object ? AuthorId(source) : null,
                        source.ValueKind == JsonValueKind.Object ? AuthorEmail(source) : null));
            case "conversation.user.replied":
                var replies = new List<HelpDeskEvent>();
                foreach (var part in parts)
                {
                    var author = part.TryGetProperty("author", out var a) ? a : default;
                    var authorType = author.ValueKind == JsonValueKind.Object && author.TryGetProperty("type", out var t) ? t.GetString() : null;
                    var body = part.TryGetProperty("body", out var b) && b.ValueKind == JsonValueKind.String ? ToPlainText(b.GetString()!) : "";
                    var partId = part.TryGetProperty("id", out var pid) ? Scalar(pid) : null;
                    if (authorType is "user" or "lead" or "contact" && body.Length > 0 && partId is not null)
                    {
                        replies.Add(new HelpDeskEvent(HelpDeskEventKind.UserMessage, conversationId, body, null, "intercom:part:" + partId, AuthorId(part), AuthorEmail(part)));
                    }
                }

                return WebhookVerdict.Accepted([.. replies]);
            case "conversation.admin.replied":
                var events = new List<HelpDeskEvent>();
                for (var index = 0; index < parts.Count; index++)
                {
                    var part = parts[index];
                    // Decide by the part's author and body, not by topic alone: assignments with a reply count, notes do not.
                    var author = part.TryGetProperty("author", out var a) ? a : default;
                    var authorType = author.ValueKind == JsonValueKind.Object && author.TryGetProperty("type", out var t) ? t.GetString() : null;
                    var partType = part.TryGetProperty("part_type", out var pt) ? pt.GetString() : null;
                    var body = part.TryGetProperty("body", out var b) && b.ValueKind == JsonValueKind.String ? ToPlainText(b.GetString()!) : "";
                    if (authorType is not ("admin" or "bot") || partType == "note" || body.Length == 0)
                    {
                        continue;
                    }

                    var name = author.TryGetProperty("name", out var nm) && nm.ValueKind == JsonValueKind.String ? nm.GetString() : null;
                    events.Add(new HelpDeskEvent(HelpDeskEventKind.HumanMessage, conversationId, body, name, Key(part, index), AuthorId(part)));
                }

                return WebhookVerdict.Accepted([.. events]);
            case "conversation.admin.closed":
                return WebhookVerdict.Accepted(new HelpDeskEvent(HelpDeskEventKind.HumanEnded, conversationId, null, null, Key(null),
                    parts.Count > 0 ? AuthorId(parts[0]) : null));
            case "conversation.admin.snoozed":
                return WebhookVerdict.Accepted(new HelpDeskEvent(HelpDeskEventKind.Snoozed, conversationId, null, null, Key(null)));
            default:
                // conversation.read is the contact's own read: accepted, nothing shown.
                return WebhookVerdict.Accepted(new HelpDeskEvent(HelpDeskEventKind.Read, conversationId, null, null, Key(null)));
        }
    }

    public static string Sign(string secret, byte[] rawBody) =>
        "sha1=" + Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), rawBody));

    private static bool SignatureMatches(string secret, string? header, byte[] rawBody) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(header.Trim().ToLowerInvariant()), Encoding.ASCII.GetBytes(Sign(secret, rawBody)));

    /// <summary>Intercom part bodies are HTML; the chat shows plain text.</summary>
    public static string ToPlainText(string html)
    {
        var text = BreakRegex().Replace(html, "\n");
        text = BlockEndRegex().Replace(text, "\n");
        text = TagRegex().Replace(text, "");
        text = WebUtility.HtmlDecode(text);
        return BlankLinesRegex().Replace(text, "\n\n").Trim();
    }

    // Ids are strings, but some (assignee ids) arrive as numbers.
    private static string? Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText(),
        _ => null,
    };

    [GeneratedRegex(@"<br\s*/?>", RegexOptions.IgnoreCase)]
    private static partial Regex BreakRegex();

    [GeneratedRegex(@"</(p|div|li|h[1-6])\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEndRegex();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex TagRegex();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLinesRegex();
}
