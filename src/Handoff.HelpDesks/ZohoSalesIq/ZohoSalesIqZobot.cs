using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Handoff.HelpDesks.ZohoSalesIq;

/// <summary>A visitor's message as SalesIQ's Zobot webhook delivers it.</summary>
/// <param name="Text">Null for a call that carries no visitor text (a trigger, a context call).</param>
public sealed record ZobotRequest(string ConversationId, string? Text, string MessageId, string? Handler, string? VisitorEmail = null);

/// <summary>
/// SalesIQ's Zobot on the Webhook platform (docs/helpdesks.md 3.5, 3.7): the call is signed like the data webhooks
/// (<c>x-siqsignature</c>, when a <c>publicKey</c> is set), must be answered within 10 s, and the answer is the bot's
/// only way to speak: <c>reply</c> with texts, or <c>forward</c> to a department. The conversation id is
/// <c>visitor.active_conversation_id</c> (fallbacks <c>visitor.visitid</c>, <c>visitor.id</c>; [T]).
/// </summary>
public static class ZohoSalesIqZobot
{
    /// <summary>A Zobot call names a <c>handler</c>; the data webhooks name an <c>event</c>. Both may come to one address.</summary>
    public static bool IsZobotCall(byte[] rawBody)
    {
        try
        {
            using var document = JsonDocument.Parse(rawBody);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("handler", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static (ZobotRequest? Request, WebhookVerdict? Refusal) Read(IReadOnlyDictionary<string, string> settings, string? signature, byte[] rawBody)
    {
        // The signature scheme is the data webhooks' one: checked before anything is read.
        if (settings.GetValueOrDefault("publicKey") is { Length: > 0 } && !ZohoSalesIqWebhook.SignatureMatches(settings["publicKey"], signature, rawBody))
        {
            return (null, WebhookVerdict.Unauthorized("missing or wrong x-siqsignature"));
        }

        JsonElement root;
        try
        {
            root = JsonDocument.Parse(rawBody).RootElement.Clone();
        }
        catch (JsonException)
        {
            return (null, WebhookVerdict.Malformed("the body is not JSON"));
        }

        var visitor = root.TryGetProperty("visitor", out var v) && v.ValueKind == JsonValueKind.Object ? v : default;
        string? Field(string name) => visitor.ValueKind == JsonValueKind.Object && visitor.TryGetProperty(name, out var f) ? Scalar(f) : null;
        var conversationId = Field("active_conversation_id") ?? Field("visitid") ?? Field("id");
        if (conversationId is null)
        {
            return (null, WebhookVerdict.Malformed("a Zobot call needs visitor.active_conversation_id (or visitid, id)"));
        }

        var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var text = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!.Trim() : null;
        var messageId = (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("id", out var id) ? Scalar(id) : null)
            // No message id is documented: the exact call, should SalesIQ send it again, gives the same key.
            ?? Convert.ToHexStringLower(SHA256.HashData(rawBody))[..32];
        var handler = root.TryGetProperty("handler", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
        return (new ZobotRequest(conversationId, text is { Length: > 0 } ? text : null, "zobot:" + messageId, handler, Field("email")), null);
    }

    /// <summary>The answer SalesIQ acts on: texts as a <c>reply</c>, or a <c>forward</c> to the department with texts before it.</summary>
    public static JsonObject Answer(IReadOnlyList<string> replies, bool forward, string? departmentId)
    {
        var answer = new JsonObject
        {
            ["action"] = forward ? "forward" : "reply",
            ["replies"] = new JsonArray(replies.Select(r => (JsonNode)r).ToArray()),
        };
        if (forward && departmentId is not null)
        {
            answer["department"] = departmentId;
        }

        return answer;
    }

    private static string? Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText(),
        _ => null,
    };
}
