using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Handoff.Grains.Agents;

namespace Handoff.Host.Security;

/// <summary>
/// The admin key and the server's signing key. The signing key (chat tokens, receiving keys) is
/// <c>Handoff:SigningKey</c>, or derived from the admin key, so every node that shares the admin key accepts the
/// same tokens.
/// </summary>
public sealed class HandoffKeys
{
    private readonly byte[] signingKey;

    public HandoffKeys(IConfiguration configuration, ILogger<HandoffKeys> logger)
    {
        var admin = configuration["Handoff:AdminApiKey"] ?? "";
        var generated = string.IsNullOrWhiteSpace(admin);
        if (generated)
        {
            admin = "hk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            // Logged once, on purpose: with no key configured this is the only way an operator learns it.
            logger.LogWarning("No Handoff:AdminApiKey configured; generated one for this process: {AdminApiKey}", admin);
        }

        AdminApiKey = admin;
        var configured = configuration["Handoff:SigningKey"];
        SecretProtector = SecretProtector.FromSecret(string.IsNullOrWhiteSpace(configured) ? admin : configured);
        if (generated && string.Equals(configuration["Handoff:Storage"], "postgres", StringComparison.OrdinalIgnoreCase))
        {
            logger.LogWarning("Durable storage with a generated admin key: chat tokens, receiving keys and stored help-desk secrets " +
                              "will not be readable after a restart or on other nodes. Set Handoff:AdminApiKey or Handoff:SigningKey.");
        }

        signingKey = HMACSHA256.HashData(Encoding.UTF8.GetBytes(string.IsNullOrWhiteSpace(configured) ? admin : configured),
            "handoff-signing-key-v1"u8.ToArray());
    }

    public string AdminApiKey { get; }

    /// <summary>Seals help-desk secrets in grain storage.</summary>
    public SecretProtector SecretProtector { get; }

    public bool IsAdminKey(string? candidate) => candidate is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), Encoding.UTF8.GetBytes(AdminApiKey));

    /// <summary>A chat token naming one conversation until <paramref name="expiresAt"/>.</summary>
    public string CreateChatToken(string conversationId, string agentId, DateTimeOffset expiresAt)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new ChatTokenPayload(conversationId, agentId, expiresAt.ToUnixTimeSeconds()));
        return $"{Base64Url(payload)}.{Base64Url(Mac("chat", payload))}";
    }

    public ChatTokenPayload? ReadChatToken(string? token, DateTimeOffset now)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 2 } || !TryFromBase64Url(parts[0], out var payload) || !TryFromBase64Url(parts[1], out var mac) ||
            !CryptographicOperations.FixedTimeEquals(mac, Mac("chat", payload)))
        {
            return null;
        }

        var value = JsonSerializer.Deserialize<ChatTokenPayload>(payload);
        return value is not null && value.Exp > now.ToUnixTimeSeconds() ? value : null;
    }

    /// <summary>The bearer key a generic webhook desk sends us: <c>{agentId}.{nonce}.{mac}</c>, checkable without state.</summary>
    public string CreateReceivingKey(string agentId, string nonce) =>
        $"{agentId}.{nonce}.{Base64Url(Mac("receiving", Encoding.UTF8.GetBytes(agentId + "." + nonce)))}";

    public (string AgentId, string Nonce)? ReadReceivingKey(string? key)
    {
        var parts = key?.Split('.');
        if (parts is not { Length: 3 } || !TryFromBase64Url(parts[2], out var mac) ||
            !CryptographicOperations.FixedTimeEquals(mac, Mac("receiving", Encoding.UTF8.GetBytes(parts[0] + "." + parts[1]))))
        {
            return null;
        }

        return (parts[0], parts[1]);
    }

    /// <summary>The OAuth <c>state</c> of a desk's consent page: names the agent, expires, and is checked without storage.</summary>
    public string CreateConsentState(string agentId, DateTimeOffset expiresAt)
    {
        var payload = Encoding.UTF8.GetBytes($"{agentId}|{expiresAt.ToUnixTimeSeconds()}");
        return $"{Base64Url(payload)}.{Base64Url(Mac("consent", payload))}";
    }

    public string? ReadConsentState(string? state, DateTimeOffset now)
    {
        var parts = state?.Split('.');
        if (parts is not { Length: 2 } || !TryFromBase64Url(parts[0], out var payload) || !TryFromBase64Url(parts[1], out var mac) ||
            !CryptographicOperations.FixedTimeEquals(mac, Mac("consent", payload)))
        {
            return null;
        }

        var fields = Encoding.UTF8.GetString(payload).Split('|');
        return fields.Length == 2 && long.TryParse(fields[1], out var exp) && exp > now.ToUnixTimeSeconds() ? fields[0] : null;
    }

    private byte[] Mac(string purpose, byte[] data)
    {
        var prefix = Encoding.UTF8.GetBytes(purpose + ":");
        return HMACSHA256.HashData(signingKey, prefix.Concat(data).ToArray());
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryFromBase64Url(string text, out byte[] bytes)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s += (s.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        bytes = [];
        try
        {
            bytes = Convert.FromBase64String(s);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

public sealed record ChatTokenPayload(string Cid, string Aid, long Exp);
