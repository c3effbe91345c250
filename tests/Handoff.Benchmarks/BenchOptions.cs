using System.Globalization;
using Handoff.Benchmarks.Harness;

namespace Handoff.Benchmarks;

public sealed record BenchOptions(IReadOnlyList<string> Scenarios, RunSettings Settings, int Conversations, int TimeoutConversations, int MemoryConversations, int Connections, string? JsonPath)
{
    public static readonly string[] All = ["b1", "s1", "s3", "s2", "t1", "b3", "s1pg", "m1", "b2", "m2"];

    public const string Usage = """
        usage: Handoff.Benchmarks [--scenario all|b1,s1,s3,s2,t1,b3,s1pg,m1,b2,m2] [--duration SECONDS per rate step]
                                  [--smoke] [--start-rate N] [--max-steps N] [--conversations N]
                                  [--t1-conversations K] [--m1-conversations N] [--m2-connections N]
                                  [--hold RATE (no search: --max-steps steps at this rate)] [--json FILE]
        """;

    public static BenchOptions? Parse(string[] args)
    {
        var smoke = args.Contains("--smoke");
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        double Number(string name, double fallback) => Value(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

        var known = new HashSet<string> { "--scenario", "--duration", "--smoke", "--start-rate", "--max-steps", "--conversations", "--t1-conversations", "--m1-conversations", "--m2-connections", "--hold", "--json" };
        for (var i = 0; i < args.Length; i++)
        {
            if (!known.Contains(args[i])) return null;
            if (args[i] != "--smoke") i++;
        }

        var scenarioText = Value("--scenario") ?? "all";
        var scenarios = scenarioText == "all"
            // The smoke run stays in memory mode: a PostgreSQL server start alone would take most of its budget.
            ? (smoke ? All.Where(s => s is not "b3" and not "s1pg").ToArray() : All)
            : scenarioText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (scenarios.Any(s => !All.Contains(s))) return null;

        var settings = new RunSettings(
            TimeSpan.FromSeconds(Number("--duration", smoke ? 1 : 10)),
            Number("--start-rate", smoke ? 50 : 250),
            (int)Number("--max-steps", 7),
            TimeSpan.FromSeconds(10),
            smoke,
            Value("--hold") is null ? null : Number("--hold", 0));
        return new BenchOptions(scenarios, settings, (int)Number("--conversations", smoke ? 4 : 20),
            (int)Number("--t1-conversations", smoke ? 20 : 10_000), (int)Number("--m1-conversations", smoke ? 500 : 100_000),
            (int)Number("--m2-connections", smoke ? 50 : 2000), Value("--json"));
    }
}
