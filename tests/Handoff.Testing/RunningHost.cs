using Microsoft.AspNetCore.Builder;

namespace Handoff.Testing;

/// <summary>The real Handoff host on Kestrel, bound to a free loopback port, started in this process.</summary>
public sealed class RunningHost : IAsyncDisposable
{
    private RunningHost(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public HttpClient Http { get; }

    /// <summary>Starts a node with the given configuration keys (e.g. <c>Handoff:Storage</c>) on fresh ports.</summary>
    public static async Task<RunningHost> StartAsync(IDictionary<string, string?> settings, Func<string[], WebApplication> build)
    {
        var all = new Dictionary<string, string?>(settings)
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        // The demo agent writes the reference desk's pairing file; tests leave a developer's own demo alone.
        all.TryAdd("Handoff:Demo:Enabled", "false");
        all.TryAdd("Handoff:Cluster:SiloPort", FreePorts.Next().ToString());
        all.TryAdd("Handoff:Cluster:GatewayPort", FreePorts.Next().ToString());
        var args = all.Select(kv => $"--{kv.Key}={kv.Value}").ToArray();
        var app = build(args);
        await app.StartAsync();
        var address = LoopbackApp.AddressOf(app);
        return new RunningHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
