using System.Diagnostics;
using Handoff.Benchmarks;
using Handoff.Benchmarks.Harness;
using Handoff.Benchmarks.Scenarios;

// M2's SignalR clients run in a child process of this program, so that the server's heap holds none of them.
if (args is [ConnectionMemory.ChildFlag]) return await ConnectionMemory.RunChildAsync();

var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

var machine = MachineInfo.Current();
Console.WriteLine(machine);
Console.WriteLine($"scenarios: {string.Join(", ", options.Scenarios)}; {options.Settings.StepDuration.TotalSeconds:0.#} s per rate step, at most {options.Settings.MaxSteps} steps{(options.Settings.Smoke ? " (smoke: one low-rate step each, numbers only checked for sanity)" : "")}");
var report = new Report();
var clock = Stopwatch.StartNew();
try
{
    await new Suite(options, report).RunAsync();
}
catch (Exception ex)
{
    report.Problem($"the run stopped: {ex}");
}

Console.WriteLine();
report.PrintTable(Console.Out);
var json = report.Json(machine, options.Settings, options.Scenarios);
if (options.JsonPath is { } path)
{
    await File.WriteAllTextAsync(path, json);
    Console.WriteLine($"JSON summary written to {path}");
}
else
{
    Console.WriteLine("JSON summary:");
    Console.WriteLine(json);
}

Console.WriteLine($"took {clock.Elapsed.TotalSeconds:F0} s; load average at the end: {MachineInfo.LoadAverage()}");
if (report.Problems.Count > 0)
{
    Console.WriteLine($"{report.Problems.Count} problem(s):");
    foreach (var p in report.Problems) Console.WriteLine("  " + p);
    return 1;
}

return 0;
