using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Handoff.Benchmarks.Scenarios;

/// <summary>One SignalR client the child process should open: the hub's address, the token it sends as
/// <c>access_token</c> (null for the bare hub), and whether it then calls the chat hub's <c>Join</c>.</summary>
public sealed record ClientTarget(string Url, string? Token, bool Join);

/// <summary>What a server's managed heap grew by while N idle SignalR clients were connected to it.</summary>
public sealed record ConnectionCost(int Connections, long HeapBefore, long HeapConnected, long HeapAfterClose, TimeSpan ConnectTime)
{
    public double BytesPerConnection => (HeapConnected - HeapBefore) / (double)Connections;
}

/// <summary>
/// M2: the clients run in a child process (this program, started with <c>--connection-clients</c>), so that the
/// heap measured here, after a full compacting GC, holds the server's side of each connection and none of the
/// client's: Kestrel's connection, the SignalR connection context and its group, the chat hub's subscription.
/// </summary>
public static class ConnectionMemory
{
    public const string ChildFlag = "--connection-clients";

    public static async Task<ConnectionCost> MeasureAsync(IReadOnlyList<ClientTarget> targets)
    {
        var before = Heap();
        using var child = StartChild();
        var clock = Stopwatch.StartNew();
        foreach (var t in targets) await child.StandardInput.WriteLineAsync(JsonSerializer.Serialize(t));
        await child.StandardInput.WriteLineAsync("go");
        await child.StandardInput.FlushAsync();
        var ready = await ReadUntilAsync(child, "ready", TimeSpan.FromSeconds(30 + targets.Count / 20));
        var connectTime = clock.Elapsed;
        if (!ready.StartsWith("ready ", StringComparison.Ordinal) || int.Parse(ready[6..]) != targets.Count)
        {
            throw new InvalidOperationException($"the client process did not connect all {targets.Count}: {ready}");
        }

        // Let the last handshakes, joins and their continuations settle before the heap is read.
        await Task.Delay(1000);
        var connected = Heap();
        await child.StandardInput.WriteLineAsync("stop");
        await child.StandardInput.FlushAsync();
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(1000);
        var afterClose = Heap();
        return new ConnectionCost(targets.Count, before, connected, afterClose, connectTime);
    }

    /// <summary>The child: opens every connection it is sent, says <c>ready N</c>, holds them until <c>stop</c>.</summary>
    public static async Task<int> RunChildAsync()
    {
        var targets = new List<ClientTarget>();
        while (await Console.In.ReadLineAsync() is { } line && line != "go")
        {
            targets.Add(JsonSerializer.Deserialize<ClientTarget>(line)!);
        }

        var connections = new HubConnection[targets.Count];
        try
        {
            await Parallel.ForAsync(0, targets.Count, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            {
                var t = targets[i];
                var hub = new HubConnectionBuilder()
                    .WithUrl(t.Url, o => { if (t.Token is { } token) o.AccessTokenProvider = () => Task.FromResult<string?>(token); })
                    .Build();
                connections[i] = hub;
                await hub.StartAsync();
                if (t.Join) await hub.InvokeAsync<JsonElement>("Join");
            });
            Console.WriteLine($"ready {connections.Count(c => c?.State == HubConnectionState.Connected)}");
        }
        catch (Exception ex)
        {
            Console.WriteLine($"failed {ex.GetType().Name}: {ex.Message}");
        }

        while (await Console.In.ReadLineAsync() is { } line && line != "stop")
        {
        }

        await Parallel.ForEachAsync(connections.Where(c => c is not null), async (c, _) => await c.DisposeAsync());
        return 0;
    }

    private static Process StartChild()
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        // Run as `dotnet Handoff.Benchmarks.dll` (tests/run.sh) or as the apphost (`dotnet run`).
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        info.ArgumentList.Add(ChildFlag);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the client process");
    }

    private static async Task<string> ReadUntilAsync(Process child, string prefix, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        string? last = null;
        while (await child.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
        {
            last = line;
            if (line.StartsWith(prefix, StringComparison.Ordinal) || line.StartsWith("failed", StringComparison.Ordinal)) return line;
        }

        return last ?? "the client process ended without a word";
    }

    public static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
