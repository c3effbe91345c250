using Handoff.Host.Hosting;
using Handoff.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;

namespace Handoff.IntegrationTests.Storage;

public sealed class GrainStateOnPostgresTests
{
    [Fact]
    public async Task Grain_state_survives_deactivation()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("state");
        await PostgresSchema.ApplyAsync(connectionString);
        await using var cluster = await PostgresClusters.StartWithStorageAsync(connectionString, "svc-deactivation");
        var grain = cluster.Client.GetGrain<ICounterProbeGrain>("counter-a");

        await grain.AddAsync(3);
        await grain.AddAsync(4);
        await cluster.DeactivateAsync(grain);
        await cluster.WaitForDeactivationAsync(grain);

        Assert.Equal(7, await grain.GetAsync());
    }

    [Fact]
    public async Task Grain_state_survives_a_full_cluster_restart()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("state");
        await PostgresSchema.ApplyAsync(connectionString);

        await using (var first = await PostgresClusters.StartWithStorageAsync(connectionString, "svc-restart", silos: 2))
        {
            await first.Client.GetGrain<ICounterProbeGrain>("counter-b").AddAsync(41);
            await first.Client.GetGrain<ICounterProbeGrain>("counter-c").AddAsync(1);
            await first.StopAllSilosAsync();
        }

        await using var second = await PostgresClusters.StartWithStorageAsync(connectionString, "svc-restart", silos: 1);
        Assert.Equal(41, await second.Client.GetGrain<ICounterProbeGrain>("counter-b").GetAsync());
        Assert.Equal(1, await second.Client.GetGrain<ICounterProbeGrain>("counter-c").GetAsync());
        Assert.Equal(0, await second.Client.GetGrain<ICounterProbeGrain>("counter-never-written").GetAsync());
    }

    [Fact]
    public async Task Another_service_id_does_not_see_the_state()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("state");
        await PostgresSchema.ApplyAsync(connectionString);

        await using (var first = await PostgresClusters.StartWithStorageAsync(connectionString, "svc-one"))
        {
            await first.Client.GetGrain<ICounterProbeGrain>("counter-d").AddAsync(5);
        }

        await using var other = await PostgresClusters.StartWithStorageAsync(connectionString, "svc-two");
        Assert.Equal(0, await other.Client.GetGrain<ICounterProbeGrain>("counter-d").GetAsync());
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_is_detected_as_a_conflict()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("state");
        await PostgresSchema.ApplyAsync(connectionString);
        await using var cluster = await PostgresClusters.StartWithStorageAsync(connectionString, "svc-etag");
        var storage = cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(OrleansHostingExtensions.GrainStorageName);
        var grainId = GrainId.Create("tests-counter", "counter-etag");

        var reader = new GrainState<CounterProbeState>(new CounterProbeState());
        await storage.ReadStateAsync("tests-counter", grainId, reader);
        Assert.False(reader.RecordExists);

        var first = new GrainState<CounterProbeState>(new CounterProbeState { Value = 1 });
        await storage.WriteStateAsync("tests-counter", grainId, first);
        var staleETag = first.ETag;
        first.State!.Value = 2;
        await storage.WriteStateAsync("tests-counter", grainId, first);
        Assert.NotEqual(staleETag, first.ETag);

        var stale = new GrainState<CounterProbeState>(new CounterProbeState { Value = 99 }) { ETag = staleETag, RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("tests-counter", grainId, stale));

        // A second "first write" (no ETag) for a row that exists is a conflict too.
        var blind = new GrainState<CounterProbeState>(new CounterProbeState { Value = 100 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("tests-counter", grainId, blind));

        var check = new GrainState<CounterProbeState>(new CounterProbeState());
        await storage.ReadStateAsync("tests-counter", grainId, check);
        Assert.Equal(2, check.State!.Value);
        Assert.Equal(first.ETag, check.ETag);

        await storage.ClearStateAsync("tests-counter", grainId, check);
        var cleared = new GrainState<CounterProbeState>(new CounterProbeState());
        await storage.ReadStateAsync("tests-counter", grainId, cleared);
        Assert.Equal(0, cleared.State?.Value ?? 0);
    }
}
