using System.Text.Json;
using Handoff.HelpDesks;

namespace Handoff.Host.Api;

/// <summary>The JSON of <c>PUT /api/agents/{agentId}/helpdesk</c>, checked against the registered kind's settings rules.</summary>
public sealed class HelpDeskBody
{
    public string? Kind { get; set; }
    public Dictionary<string, JsonElement>? Settings { get; set; }

    public (string Kind, Dictionary<string, string> Settings, Dictionary<string, string[]> Errors) Validate(HelpDeskCatalog catalog)
    {
        var errors = new Dictionary<string, string[]>();
        var values = new Dictionary<string, string>();
        if (Kind is null || catalog.Find(Kind) is not { } descriptor)
        {
            errors["kind"] = [$"must be one of: {string.Join(", ", catalog.Kinds)}"];
            return (Kind ?? "", values, errors);
        }

        var rules = descriptor.Settings;
        foreach (var (key, value) in Settings ?? [])
        {
            if (!rules.Accepts(key))
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

        // The desk's own checks (a region from its list, a key that must parse) on the values that passed the key rules.
        descriptor.Validate(values, errors);

        return (Kind, values, errors);
    }

    /// <summary>Secrets show only their last 4 characters.</summary>
    public static Dictionary<string, string> Masked(HelpDeskCatalog catalog, string kind, IReadOnlyDictionary<string, string> settings)
    {
        return settings.Where(kv => !catalog.IsGranted(kind, kv.Key))
            .ToDictionary(kv => kv.Key, kv => catalog.IsSecret(kind, kv.Key) ? Mask(kv.Value) : kv.Value);
    }

    public static string Mask(string secret) => secret.Length <= 4 ? new string('*', secret.Length) : new string('*', Math.Min(8, secret.Length - 4)) + secret[^4..];
}
