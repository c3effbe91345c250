using System.Runtime;
using System.Runtime.InteropServices;

namespace Handoff.Benchmarks.Harness;

/// <summary>What the figures were measured on; ratios travel between machines, absolute rates do not.</summary>
public sealed record MachineInfo(string Os, string Cpu, int Cores, double MemoryGiB, string Dotnet, string Gc, string Configuration)
{
    public static MachineInfo Current()
    {
        var gc = $"{(GCSettings.IsServerGC ? "server" : "workstation")}, {(GCSettings.LatencyMode == GCLatencyMode.Batch ? "non-concurrent" : "concurrent")}, latency mode {GCSettings.LatencyMode}";
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        return new MachineInfo(RuntimeInformation.OSDescription, CpuName(), Environment.ProcessorCount, Math.Round(memory, 1),
            RuntimeInformation.FrameworkDescription, gc, configuration);
    }

    private static string CpuName()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    /// <summary>The machine is shared; a load above the core count means the figures are lower bounds.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public override string ToString() =>
        $"machine: {Cpu}, {Cores} cores, {MemoryGiB} GiB; {Os}\n.NET: {Dotnet}, {Configuration} build; GC: {Gc}\nload average (1/5/15 min) at start: {LoadAverage()}";
}
