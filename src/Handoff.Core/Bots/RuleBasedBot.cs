using System.Text.RegularExpressions;

namespace Handoff.Core.Bots;

/// <summary>What the bot does with one user message.</summary>
public sealed record BotTurn(string? Reply, bool RequestsHandoff, string? Reason);

/// <summary>
/// The embedded first-run bot: answers briefly, and asks for a hand-off when the user asks for a person in common
/// words or says something the agent's trigger description names.
/// </summary>
public static partial class RuleBasedBot
{
    private static readonly string[] PersonPhrases =
    [
        "human", "agent", "real person", "a person", "operator", "representative", "someone real", "talk to someone",
        "speak to someone", "customer service", "support team", "live chat", "mensch", "mitarbeiter",
    ];

    private static readonly HashSet<string> StopWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "about", "asks", "user", "users", "wants", "their", "there", "which", "would", "could", "should", "other",
        "person", "people", "someone", "talk", "speak", "with", "when", "where", "that", "this", "these", "those",
        "from", "into", "they", "them", "have", "been", "very", "really",
    };

    public static BotTurn Respond(string userText, string? triggerDescription, bool handoffEnabled)
    {
        var text = userText.Trim();
        if (handoffEnabled && Matches(text, triggerDescription) is { } reason)
        {
            return new BotTurn(null, true, reason);
        }

        var lower = text.ToLowerInvariant();
        var reply = lower switch
        {
            _ when GreetingRegex().IsMatch(lower) => "Hello! How can I help you today?",
            _ when lower.Contains("thank") => "You're welcome. Anything else?",
            _ when lower.Contains("price") || lower.Contains("cost") => "Our prices are on the pricing page. Ask me anything else, or ask for a person.",
            _ when lower.Contains("hour") || lower.Contains("open") => "Our team's hours are set by this agent's service periods; ask for a person to reach them.",
            _ => handoffEnabled
                ? "I'm a simple bot. I can pass you to a person: just ask for a human."
                : "I'm a simple bot and can't help much with that.",
        };
        return new BotTurn(reply, false, null);
    }

    /// <summary>The reason to hand off, or null.</summary>
    public static string? Matches(string userText, string? triggerDescription)
    {
        var lower = userText.ToLowerInvariant();
        foreach (var phrase in PersonPhrases)
        {
            if (Regex.IsMatch(lower, $@"\b{Regex.Escape(phrase)}\b"))
            {
                return $"the user asked for a person (\"{phrase}\")";
            }
        }

        foreach (var word in KeyWords(triggerDescription))
        {
            if (Regex.IsMatch(lower, $@"\b{Regex.Escape(word)}"))
            {
                return $"the user's words match the trigger description (\"{word}\")";
            }
        }

        return null;
    }

    private static IEnumerable<string> KeyWords(string? description) =>
        string.IsNullOrWhiteSpace(description)
            ? []
            : WordRegex().Matches(description.ToLowerInvariant()).Select(m => m.Value)
                .Where(w => w.Length >= 5 && !StopWords.Contains(w)).Distinct();

    [GeneratedRegex(@"^(hi|hello|hey|hallo|good (morning|afternoon|evening))\b")]
    private static partial Regex GreetingRegex();

    [GeneratedRegex(@"\p{L}+")]
    private static partial Regex WordRegex();
}
