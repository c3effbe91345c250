using System.Text.RegularExpressions;

namespace Handoff.Host.Api;

public static partial class AgentIds
{
    public static bool IsValid(string? agentId) => agentId is not null && Pattern().IsMatch(agentId);

    public static IResult Invalid() => Results.ValidationProblem(
        new Dictionary<string, string[]> { ["agentId"] = ["1 to 64 characters of a-z, 0-9, '-' and '_'"] });

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex Pattern();
}
