using Orleans.Runtime;

namespace Handoff.Benchmarks;

public sealed record ActivationCount(long Total, IReadOnlyDictionary<string, long> ByType);

/// <summary>Live grain activations per type, from the silo's own bookkeeping rather than our guess.</summary>
public static class Activations
{
    public static async Task<ActivationCount> CountAsync(IGrainFactory grains)
    {
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        var byType = statistics.GroupBy(s => s.GrainType).ToDictionary(g => g.Key, g => g.Sum(s => (long)s.ActivationCount));
        return new ActivationCount(byType.Values.Sum(), byType);
    }

    public static string Grown(ActivationCount before, ActivationCount after) =>
        string.Join(", ", after.ByType.Where(kv => kv.Value > before.ByType.GetValueOrDefault(kv.Key)).Select(kv => $"{kv.Key} +{kv.Value - before.ByType.GetValueOrDefault(kv.Key)}"));
}
