using Handoff.Host.Hosting;
using Handoff.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using System.Reflection;
using Orleans.TestingHost;

namespace Handoff.IntegrationTests.Storage;

/// <summary>Membership, state and reminders all on PostgreSQL, several silos, silos killed and stopped.</summary>
public sealed class ClusterOnPostgresTests
{
    [Fact]
    public async Task A_reminder_fires_and_fires_again_after_the_silo_that_owned_it_is_killed()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("failover");
        await PostgresSchema.ApplyAsync(connectionString);
        await using var cluster = await PostgresClusters.StartFullyDurableAsync(connectionString, "svc-failover", silos: 3);
        var key = $"reminder-{Guid.NewGuid():N}";
        var grain = cluster.Client.GetGrain<IReminderProbeGrain>(key);

        await grain.StartAsync(TimeSpan.FromSeconds(1));
        await WaitForTicksAsync(key, atLeast: 2, TimeSpan.FromSeconds(20));

        var grainId = GrainId.Create("tests-reminder", key);
        var owner = ReminderOwner(cluster.Silos[0], grainId);
        var ownerHandle = cluster.Silos.Single(s => s.SiloAddress.Equals(owner));
        await cluster.KillSiloAsync(ownerHandle);
        await cluster.WaitForLivenessToStabilizeAsync(didKill: true);

        var ticksAtKill = ReminderProbeGrain.Ticks[key].Count;
        await WaitForTicksAsync(key, atLeast: ticksAtKill + 2, TimeSpan.FromSeconds(30));

        Assert.NotEqual(owner, ReminderOwner(cluster.Silos.First(s => s.IsActive), grainId));
        var rows = await SchemaTests.QueryAsync(connectionString,
            $"SELECT count(*) FROM OrleansRemindersTable WHERE GrainId = 'tests-reminder/{key}'", r => r.GetInt64(0));
        Assert.Equal(1, rows.Single());

        await grain.StopAsync();
    }

    [Fact]
    public async Task A_second_silo_joins_and_leaves_cleanly()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("membership");
        await PostgresSchema.ApplyAsync(connectionString);
        await using var cluster = await PostgresClusters.StartFullyDurableAsync(connectionString, "svc-membership", silos: 1);
        Assert.Equal(1, await CountMembersAsync(connectionString, status: 3));

        var second = await cluster.StartAdditionalSiloAsync();
        await cluster.WaitForLivenessToStabilizeAsync();
        Assert.Equal(2, await CountMembersAsync(connectionString, status: 3));

        var counter = cluster.Client.GetGrain<ICounterProbeGrain>($"counter-{Guid.NewGuid():N}");
        await counter.AddAsync(2);

        await cluster.StopSiloAsync(second);
        await cluster.WaitForLivenessToStabilizeAsync();
        Assert.Equal(1, await CountMembersAsync(connectionString, status: 3));
        Assert.Equal(1, await CountMembersAsync(connectionString, status: 6));

        // The cluster still places and runs grains, and the state written earlier is still there.
        Assert.Equal(5, await counter.AddAsync(3));
    }

    /// <summary>
    /// The silo whose reminder service holds the grain's hash. The ring provider is internal to Orleans, so the
    /// test reads it by reflection; production code never needs it.
    /// </summary>
    private static SiloAddress ReminderOwner(InProcessSiloHandle silo, GrainId grainId)
    {
        var ringType = typeof(SiloAddress).Assembly.GetType("Orleans.Runtime.ConsistentRing.IConsistentRingProvider")
            ?? Type.GetType("Orleans.Runtime.ConsistentRing.IConsistentRingProvider, Orleans.Runtime", throwOnError: true)!;
        var ring = silo.ServiceProvider.GetRequiredService(ringType);
        var method = ringType.GetMethod("GetPrimaryTargetSilo", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!;
        return (SiloAddress)method.Invoke(ring, [grainId.GetUniformHashCode()])!;
    }

    private static async Task<long> CountMembersAsync(string connectionString, int status) =>
        (await SchemaTests.QueryAsync(connectionString, $"SELECT count(*) FROM OrleansMembershipTable WHERE Status = {status}", r => r.GetInt64(0))).Single();

    private static async Task WaitForTicksAsync(string key, int atLeast, TimeSpan within)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (ReminderProbeGrain.Ticks.TryGetValue(key, out var ticks) && ticks.Count >= atLeast)
            {
                return;
            }

            await Task.Delay(100);
        }

        var seen = ReminderProbeGrain.Ticks.TryGetValue(key, out var q) ? q.Count : 0;
        Assert.Fail($"expected {atLeast} reminder ticks within {within.TotalSeconds} s, saw {seen}");
    }
}
