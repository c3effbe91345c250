using System.Net.Mail;

namespace Handoff.Core.Conversations;

/// <summary>The e-mail rule of the hand-off: one plain address, with a dot in its domain.</summary>
public static class EmailAddress
{
    public const int MaxLength = 254;

    public static bool TryNormalize(string? text, out string address)
    {
        address = "";
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxLength || trimmed.Any(char.IsWhiteSpace) ||
            !MailAddress.TryCreate(trimmed, out var parsed) || parsed.Address != trimmed || parsed.DisplayName.Length > 0)
        {
            return false;
        }

        var domain = parsed.Host;
        if (!domain.Contains('.') || domain.StartsWith('.') || domain.EndsWith('.'))
        {
            return false;
        }

        address = trimmed;
        return true;
    }
}
