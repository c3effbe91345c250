using System.Diagnostics;
using HdrHistogram;

namespace Handoff.Benchmarks.Harness;

/// <summary>One constant-rate step: what was scheduled, what completed, and the latency from the scheduled time.</summary>
public sealed record StepResult(
    double TargetRate,
    double Seconds,
    long Scheduled,
    long Completed,
    long Failed,
    long TimedOut,
    long Dropped,
    double AchievedRate,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs,
    string? FirstError,
    IReadOnlyDictionary<string, long> Errors,
    double CpuMsPerOp,
    double AllocatedKiBPerOp)
{
    public bool Clean => Failed == 0 && TimedOut == 0 && Dropped == 0 && Completed == Scheduled;

    public bool Passes(double p99TargetMs) => Clean && P99Ms <= p99TargetMs;

    /// <summary>Why the step failed: errors by kind (HTTP status, timeout), the sender's backlog, or only the p99.</summary>
    public string Why(double p99TargetMs)
    {
        var reasons = new List<string>();
        if (Failed + TimedOut > 0) reasons.Add("errors " + string.Join(", ", Errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key} ×{e.Value}")));
        if (Dropped > 0) reasons.Add($"{Dropped} not sent (more than 5 s of requests outstanding)");
        if (P99Ms > p99TargetMs) reasons.Add($"p99 {P99Ms:F0} ms > {p99TargetMs:F0} ms" + (AchievedRate < TargetRate * 0.95 ? $", only {AchievedRate:F0}/s completed" : ""));
        return reasons.Count == 0 ? "passed" : string.Join("; ", reasons);
    }
}

/// <summary>A latency histogram in microseconds that many continuations can record into.</summary>
public sealed class Latencies
{
    private readonly LongHistogram histogram = new(120L * 1_000_000, 3);

    public void Record(long fromTimestamp, long toTimestamp)
    {
        var micros = Math.Max(1, (toTimestamp - fromTimestamp) * 1_000_000 / Stopwatch.Frequency);
        lock (histogram) histogram.RecordValue(Math.Min(micros, histogram.HighestTrackableValue));
    }

    public void RecordMicros(long micros)
    {
        lock (histogram) histogram.RecordValue(Math.Clamp(micros, 1, histogram.HighestTrackableValue));
    }

    public long Count
    {
        get { lock (histogram) return histogram.TotalCount; }
    }

    public double PercentileMs(double percentile)
    {
        lock (histogram) return histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile) / 1000.0;
    }

    public double MaxMs
    {
        get { lock (histogram) return histogram.TotalCount == 0 ? 0 : histogram.GetMaxValue() / 1000.0; }
    }
}

/// <summary>
/// Open-loop load: request i is due at start + i/rate whether or not earlier ones have answered, and its latency
/// counts from that due time, so a stalled system cannot hide its queueing by slowing the sender down
/// (coordinated omission).
/// </summary>
public static class OpenLoop
{
    /// <param name="operation">Starts request <c>index</c>; its task ends when the result is observed where it matters (e.g. at the SignalR client).</param>
    public static async Task<StepResult> RunAsync(double rate, TimeSpan duration, Func<long, long, Task> operation, TimeSpan timeout)
    {
        var latencies = new Latencies();
        var total = Math.Max(1, (long)Math.Round(rate * duration.TotalSeconds));
        var ticksPerRequest = Stopwatch.Frequency / rate;
        // Past this backlog the step has clearly failed; stop adding work that would only slow the next step.
        var maxOutstanding = Math.Max(1000, (long)(rate * 5));
        long completed = 0, failed = 0, timedOut = 0, dropped = 0, outstanding = 0;
        string? firstError = null;
        var errors = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        var tasks = new List<Task>((int)Math.Min(total, 1_000_000));

        async Task Track(long index, long due)
        {
            Interlocked.Increment(ref outstanding);
            try
            {
                await operation(index, due).WaitAsync(timeout);
                latencies.Record(due, Stopwatch.GetTimestamp());
                Interlocked.Increment(ref completed);
            }
            catch (TimeoutException)
            {
                latencies.Record(due, Stopwatch.GetTimestamp());
                Interlocked.Increment(ref timedOut);
                errors.AddOrUpdate($"timeout {timeout.TotalSeconds:0} s", 1, (_, n) => n + 1);
            }
            catch (Exception ex)
            {
                latencies.Record(due, Stopwatch.GetTimestamp());
                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstError, ex.GetType().Name + ": " + ex.Message, null);
                errors.AddOrUpdate(Kind(ex), 1, (_, n) => n + 1);
            }
            finally
            {
                Interlocked.Decrement(ref outstanding);
            }
        }

        // The whole process's CPU time and allocations (client side included, as in the baselines), per request.
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();
        long next = 0;
        while (next < total)
        {
            var now = Stopwatch.GetTimestamp();
            var dueCount = Math.Min(total, (long)((now - start) / ticksPerRequest) + 1);
            for (; next < dueCount; next++)
            {
                var due = start + (long)(next * ticksPerRequest);
                if (Interlocked.Read(ref outstanding) >= maxOutstanding)
                {
                    dropped++;
                    latencies.Record(due, now);
                    continue;
                }

                tasks.Add(Track(next, due));
            }

            if (next < total)
            {
                // 1 ms is the timer granularity here; the sender's own lag is charged to the latency, as it should be.
                await Task.Delay(1);
            }
        }

        await Task.WhenAll(tasks);
        var seconds = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return new StepResult(rate, seconds, total, completed, failed, timedOut, dropped, completed / seconds,
            latencies.PercentileMs(50), latencies.PercentileMs(90), latencies.PercentileMs(99), latencies.MaxMs, firstError,
            new SortedDictionary<string, long>(errors), cpuMs / Math.Max(1, completed), allocated / 1024.0 / Math.Max(1, completed));
    }

    /// <summary>An error's kind for the step's tally: the HTTP status where there is one (a 429 is the rate limiter).</summary>
    private static string Kind(Exception ex) => ex switch
    {
        HttpRequestException { StatusCode: { } status } => $"HTTP {(int)status}",
        HttpRequestException => "HTTP no answer",
        _ => ex.GetType().Name,
    };
}
