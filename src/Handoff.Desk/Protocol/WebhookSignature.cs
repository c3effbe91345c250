using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Handoff.Desk;

/// <summary>
/// <c>X-Handoff-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;raw body&gt;")&gt;</c>, the same in
/// both directions. Public so tests can sign what they send to the desk and check what it sends.
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-Handoff-Signature";
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    public static string Create(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={Convert.ToHexStringLower(Compute(secret, t, body))}";
    }

    public static bool Verify(string secret, string? header, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(header))
            return false;

        string? t = null;
        List<string> candidates = [];
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
                continue;
            var (key, value) = (part[..eq], part[(eq + 1)..]);
            if (key == "t")
                t = value;
            else if (key == "v1")
                candidates.Add(value);
        }

        if (t is null || candidates.Count == 0
            || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            return false;
        // Both directions of skew count: a stamp from the future is as suspicious as a replayed old one.
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > Tolerance.TotalSeconds)
            return false;

        // HMAC over the t text exactly as sent, so the check never depends on how the sender formatted the number.
        var expected = Compute(secret, t, body);
        foreach (var candidate in candidates)
        {
            if (candidate.Length != expected.Length * 2)
                continue;
            byte[] given;
            try
            {
                given = Convert.FromHexString(candidate);
            }
            catch (FormatException)
            {
                continue;
            }
            if (CryptographicOperations.FixedTimeEquals(given, expected))
                return true;
        }
        return false;
    }

    private static byte[] Compute(string secret, string t, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.UTF8.GetBytes(t + "."));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
