using System.Security.Cryptography;
using System.Text;

namespace Handoff.Grains.Agents;

/// <summary>
/// Encrypts help-desk secrets before they reach grain storage (AES-GCM). The key comes from the host's
/// configuration; nodes of one cluster must share it, or they cannot read each other's stored secrets.
/// </summary>
public sealed class SecretProtector(byte[] key)
{
    private const string Prefix = "enc1:";

    public string Protect(string plain)
    {
        var nonce = RandomNumberGenerator.GetBytes(12);
        var data = Encoding.UTF8.GetBytes(plain);
        var cipher = new byte[data.Length];
        var tag = new byte[16];
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(nonce, data, cipher, tag);
        return Prefix + Convert.ToBase64String([.. nonce, .. tag, .. cipher]);
    }

    /// <summary>The plain text, or null when it was sealed with another key.</summary>
    public string? Unprotect(string stored)
    {
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return stored;
        }

        try
        {
            var all = Convert.FromBase64String(stored[Prefix.Length..]);
            var plain = new byte[all.Length - 28];
            using var aes = new AesGcm(key, 16);
            aes.Decrypt(all.AsSpan(0, 12), all.AsSpan(28), all.AsSpan(12, 16), plain);
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>A key derived from configuration text (the signing or admin key).</summary>
    public static SecretProtector FromSecret(string secret) =>
        new(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), "handoff-secrets-at-rest-v1"u8.ToArray()));
}
