using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Handoff.HelpDesks.Sobot;

/// <summary>
/// Reads Sobot's callbacks at our receiving address (docs/helpdesks.md 5.2, 5.4): the message push (one object,
/// <c>type: 202</c> = an agent's message to the customer) and the online message-forwarding batches (a JSON array of
/// up to 20 items; an object wrapping such a list, or one item alone, is taken too, since the stored docs do not show
/// the envelope). An item is an agent message when its <c>type</c> is 202 or, without a type, it names the agent
/// (<c>aname</c>); fields are read from the item or its nested <c>content</c> object, names in any case. Other items
/// (the customer's own messages, statistics) are skipped. Text is shown as it comes; an image, file, voice or video
/// whose content is a URL is shown as "[image] url", otherwise skipped. No session-end event is documented, so
/// none is read: a hand-off ends by our own timeouts or by the user.
/// With both <c>companyId</c> and <c>forwardingKey</c> configured, <c>X-Log-Sign</c> is required.
/// </summary>
public static class SobotWebhook
{
    public const string SignHeader = "X-Log-Sign";
    public const string TimestampHeader = "X-Log-TimeStamp";
    public const string RandomCodeHeader = "X-Log-RandomCode";
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    /// <param name="isBatch">True when the body was a list (or wrapped one): a forwarding batch, which carries the whole company's traffic.</param>
    public static WebhookVerdict Read(IReadOnlyDictionary<string, string> settings, string? sign, string? timestamp, string? randomCode,
        byte[] rawBody, DateTimeOffset now, out bool isBatch)
    {
        isBatch = false;
        if (settings.GetValueOrDefault("companyId") is { Length: > 0 } companyId && settings.GetValueOrDefault("forwardingKey") is { Length: > 0 } key)
        {
            if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ||
                Math.Abs(now.ToUnixTimeMilliseconds() - ms) > Tolerance.TotalMilliseconds ||
                sign is null || randomCode is null ||
                !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(sign.Trim().ToLowerInvariant()),
                    Encoding.ASCII.GetBytes(SobotSign.Forwarding(companyId, timestamp!, randomCode, key))))
            {
                return WebhookVerdict.Unauthorized("missing, wrong or stale X-Log-Sign");
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

        List<JsonElement> items;
        if (root.ValueKind == JsonValueKind.Array)
        {
            isBatch = true;
            items = [.. root.EnumerateArray()];
        }
        else if (root.ValueKind == JsonValueKind.Object && Wrapped(root) is { } list)
        {
            isBatch = true;
            items = list;
        }
        else if (root.ValueKind == JsonValueKind.Object)
        {
            items = [root];
        }
        else
        {
            return WebhookVerdict.Malformed("a Sobot callback is a JSON object or a list of them");
        }

        var events = new List<HelpDeskEvent>();
        foreach (var item in items)
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                return WebhookVerdict.Malformed("every item of a Sobot batch must be an object");
            }

            var type = Field(item, "type");
            if (!(type == "202" || (type is null && Field(item, "aname") is not null)))
            {
                continue;
            }

            var partnerId = Field(item, "partnerId");
            var msgId = Field(item, "msgId");
            if (partnerId is null || msgId is null)
            {
                return WebhookVerdict.Malformed("an agent message needs partnerId and msgId");
            }

            if (Text(Field(item, "msgType"), Field(item, "content")) is { } text)
            {
                events.Add(new HelpDeskEvent(HelpDeskEventKind.HumanMessage, partnerId, text, Field(item, "aname"), "sobot:" + msgId));
            }
        }

        return WebhookVerdict.Accepted([.. events]);
    }

    private static string? Text(string? msgType, string? content)
    {
        if (content is null || content.Trim().Length == 0)
        {
            return null;
        }

        if (msgType is null or "text" or "0")
        {
            return content.Trim();
        }

        return Uri.TryCreate(content.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? $"[{msgType}] {uri}"
            : null;
    }

    /// <summary>The list inside an object such as <c>{ "data": [ … ] }</c>: its one property that is an array of objects.</summary>
    private static List<JsonElement>? Wrapped(JsonElement root)
    {
        var lists = root.EnumerateObject()
            .Where(p => p.Value.ValueKind == JsonValueKind.Array && p.Value.EnumerateArray().Any() && p.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Object))
            .ToList();
        return lists.Count == 1 && !HasOwnMessage(root) ? [.. lists[0].Value.EnumerateArray()] : null;
    }

    private static bool HasOwnMessage(JsonElement root) => Field(root, "msgId") is not null || Field(root, "partnerId") is not null;

    /// <summary>A scalar field of the item or of its nested <c>content</c> object, matched in any case.</summary>
    private static string? Field(JsonElement item, string name)
    {
        if (Own(item, name) is { } own)
        {
            return own;
        }

        foreach (var p in item.EnumerateObject())
        {
            if (p.NameEquals("content") && p.Value.ValueKind == JsonValueKind.Object)
            {
                return Own(p.Value, name);
            }
        }

        return null;
    }

    private static string? Own(JsonElement item, string name)
    {
        foreach (var p in item.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString() is { Length: > 0 } s ? s : null,
                    JsonValueKind.Number => p.Value.GetRawText(),
                    _ => null,
                };
            }
        }

        return null;
    }
}
