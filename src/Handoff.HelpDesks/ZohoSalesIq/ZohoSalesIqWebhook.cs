using System.Security.Cryptography;
using System.Text.Json;

namespace Handoff.HelpDesks.ZohoSalesIq;

/// <summary>
/// Reads SalesIQ's data webhooks (docs/helpdesks.md 3.4, 0a): with a <c>publicKey</c>, <c>x-siqsignature</c>
/// (SHA256withRSA over the raw body, Base64) is required. <c>conversation.operator.replied</c> is the human's message
/// (messages without text, i.e. files, are not shown), <c>conversation.completed</c> ends the hand-off,
/// <c>conversation.missed</c> says nobody took it; other events are accepted and ignored.
/// </summary>
public static class ZohoSalesIqWebhook
{
    public const string SignatureHeader = "x-siqsignature";

    public static WebhookVerdict Read(IReadOnlyDictionary<string, string> settings, string? signature, byte[] rawBody)
    {
        if (settings.GetValueOrDefault("publicKey") is { Length: > 0 } publicKey)
        {
            using var rsa = ImportPublicKey(publicKey);
            if (rsa is null)
            {
                return WebhookVerdict.Unauthorized("the stored publicKey cannot be read, so no signature can be checked");
            }

            if (!Verifies(rsa, signature, rawBody))
            {
                return WebhookVerdict.Unauthorized("missing or wrong x-siqsignature");
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

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("event", out var e) || e.ValueKind != JsonValueKind.String)
        {
            return WebhookVerdict.Malformed("a SalesIQ webhook needs an event");
        }

        var entity = root.TryGetProperty("entity", out var en) && en.ValueKind == JsonValueKind.Object ? en : default;
        var conversationId = (root.TryGetProperty("entity_id", out var eid) ? Scalar(eid) : null)
            ?? (entity.ValueKind == JsonValueKind.Object && entity.TryGetProperty("id", out var id) ? Scalar(id) : null);
        var kind = e.GetString();
        if (kind is "conversation.operator.replied" or "conversation.completed" or "conversation.missed" && conversationId is null)
        {
            return WebhookVerdict.Malformed($"{kind} needs entity_id or entity.id");
        }

        switch (kind)
        {
            case "conversation.operator.replied":
                var message = entity.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
                var text = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!.Trim() : "";
                if (text.Length == 0)
                {
                    return WebhookVerdict.Accepted(); // a file: the seed says files from Zoho are not shown
                }

                var msgId = message.TryGetProperty("msgid", out var mid) ? Scalar(mid) : null;
                var sender = message.TryGetProperty("sender", out var s) && s.ValueKind == JsonValueKind.Object && s.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                var eventTime = entity.TryGetProperty("event_time", out var et) ? Scalar(et) : null;
                return WebhookVerdict.Accepted(new HelpDeskEvent(HelpDeskEventKind.HumanMessage, conversationId!, text, sender,
                    "zoho:" + (msgId ?? $"{conversationId}:{eventTime}")));
            case "conversation.completed":
                return WebhookVerdict.Accepted(new HelpDeskEvent(HelpDeskEventKind.HumanEnded, conversationId!, null, null, "zoho:completed:" + conversationId));
            case "conversation.missed":
                return WebhookVerdict.Accepted(new HelpDeskEvent(HelpDeskEventKind.Missed, conversationId!, null, null, "zoho:missed:" + conversationId));
            default:
                // conversation.attender.updated and the rest: the human's first reply is what makes the hand-off live.
                return WebhookVerdict.Accepted();
        }
    }

    /// <summary>SalesIQ's public key as PEM, bare Base64 SubjectPublicKeyInfo, or bare Base64 PKCS#1 (the format is [?]).</summary>
    public static RSA? ImportPublicKey(string text)
    {
        var rsa = RSA.Create();
        try
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                rsa.ImportFromPem(text);
                return rsa;
            }

            var der = Convert.FromBase64String(string.Concat(text.Where(c => !char.IsWhiteSpace(c))));
            try
            {
                rsa.ImportSubjectPublicKeyInfo(der, out _);
            }
            catch (CryptographicException)
            {
                rsa.ImportRSAPublicKey(der, out _);
            }

            return rsa;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            rsa.Dispose();
            return null;
        }
    }

    /// <summary>SHA256withRSA over the exact bytes, Base64 in <c>x-siqsignature</c>: for data webhooks and Zobot calls alike.</summary>
    public static bool SignatureMatches(string publicKey, string? signature, byte[] rawBody)
    {
        using var rsa = ImportPublicKey(publicKey);
        return rsa is not null && Verifies(rsa, signature, rawBody);
    }

    private static bool Verifies(RSA rsa, string? signature, byte[] rawBody)
    {
        if (string.IsNullOrWhiteSpace(signature))
        {
            return false;
        }

        try
        {
            return rsa.VerifyData(rawBody, Convert.FromBase64String(signature.Trim()), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return false;
        }
    }

    private static string? Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText(),
        _ => null,
    };
}
