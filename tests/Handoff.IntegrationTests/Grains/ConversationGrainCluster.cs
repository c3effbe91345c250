using System.Collections.Concurrent;
using Handoff.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Handoff.IntegrationTests.Grains;

/// <summary>
/// One silo with our grains, memory storage wrapped so a test can make a named state's next read or write fail,
/// and a <see cref="FakeTimeProvider"/> as the grains' clock (grain timers follow it; the silo's own loops keep real time).
/// </summary>
public sealed class ConversationGrainCluster : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
    public StorageFaults Faults { get; } = new();
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureHost(host => host.Logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage("inner");
            silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorage.Name,
                (sp, _) => new FaultyGrainStorage(sp.GetRequiredKeyedService<IGrainStorage>("inner"), Faults));
            silo.UseInMemoryReminderService();
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Services.AddHandoffGrainServices(null);
            silo.Services.AddSingleton<TimeProvider>(Clock);
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Which grain states (by state name) fail their next reads or writes, as a database that is away would.</summary>
public sealed class StorageFaults
{
    private readonly ConcurrentDictionary<string, int> writes = new();
    private readonly ConcurrentDictionary<string, int> reads = new();

    public void FailNextWrite(string stateName, int times = 1) => writes[stateName] = times;

    public void FailNextRead(string stateName, int times = 1) => reads[stateName] = times;

    internal void ThrowIfWriteFails(string stateName) => ThrowIf(writes, stateName, "write");

    internal void ThrowIfReadFails(string stateName) => ThrowIf(reads, stateName, "read");

    private static void ThrowIf(ConcurrentDictionary<string, int> faults, string stateName, string what)
    {
        if (faults.TryGetValue(stateName, out var left) && left > 0 && faults.TryUpdate(stateName, left - 1, left))
        {
            throw new InvalidOperationException($"injected fault: the {what} of '{stateName}' failed");
        }
    }
}

internal sealed class FaultyGrainStorage(IGrainStorage inner, StorageFaults faults) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        faults.ThrowIfReadFails(stateName);
        return inner.ReadStateAsync(stateName, grainId, grainState);
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        faults.ThrowIfWriteFails(stateName);
        return inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}

[CollectionDefinition(Name)]
public sealed class ConversationGrainCollection : ICollectionFixture<ConversationGrainCluster>
{
    public const string Name = "conversation grain silo";
}
