using System.Text.Json;
using Handoff.HelpDesks;
using Handoff.HelpDesks.ZohoSalesIq;

namespace Handoff.Host.Api;

/// <summary>The JSON of <c>PUT /api/agents/{agentId}/helpdesk</c> and the per-kind rules for its settings.</summary>
public sealed class HelpDeskBody
{
    public string? Kind { get; set; }
    public Dictionary<string, JsonElement>? Settings { get; set; }

    public (string Kind, Dictionary<string, string> Settings, Dictionary<string, string[]> Errors) Validate()
    {
        var errors = new Dictionary<string, string[]>();
        var values = new Dictionary<string, string>();
        if (Kind is null || !HelpDeskKinds.All.TryGetValue(Kind, out var rules))
        {
            errors["kind"] = [$"must be one of: {string.Join(", ", HelpDeskKinds.All.Keys)}"];
            return (Kind ?? "", values, errors);
        }

        foreach (var (key, value) in Settings ?? [])
        {
            if (!rules.Required.Contains(key) && !rules.Optional.Contains(key))
            {
                errors[$"settings.{key}"] = [$"is not a setting of kind {Kind}"];
            }
            else if (value.ValueKind is JsonValueKind.String or JsonValueKind.Number && value.ToString() is { Length: > 0 and <= 4000 } text)
            {
                values[key] = text;
            }
            else if (value.ValueKind != JsonValueKind.Null)
            {
                errors[$"settings.{key}"] = ["must be a non-empty string of at most 4000 characters"];
            }
        }

        foreach (var key in rules.Required.Where(k => !values.ContainsKey(k)))
        {
            errors[$"settings.{key}"] = ["is required"];
        }

        if (Kind == "zoho-salesiq")
        {
            if (values.TryGetValue("region", out var region) && !ZohoRegions.All.ContainsKey(region))
            {
                errors["settings.region"] = [$"must be one of: {string.Join(", ", ZohoRegions.All.Keys)}"];
            }

            if (values.TryGetValue("publicKey", out var key))
            {
                using var rsa = ZohoSalesIqWebhook.ImportPublicKey(key);
                if (rsa is null) errors["settings.publicKey"] = ["must be SalesIQ's RSA public key, as PEM or Base64"];
            }
        }

        return (Kind, values, errors);
    }

    /// <summary>Secrets show only their last 4 characters.</summary>
    public static Dictionary<string, string> Masked(string kind, IReadOnlyDictionary<string, string> settings)
    {
        return settings.Where(kv => !HelpDeskKinds.IsGranted(kind, kv.Key))
            .ToDictionary(kv => kv.Key, kv => HelpDeskKinds.IsSecret(kind, kv.Key) ? Mask(kv.Value) : kv.Value);
    }

    public static string Mask(string secret) => secret.Length <= 4 ? new string('*', secret.Length) : new string('*', Math.Min(8, secret.Length - 4)) + secret[^4..];
}
