using System.Collections.Concurrent;
using Handoff.Host.Hosting;

namespace Handoff.IntegrationTests.Storage;

/// <summary>A grain with one persisted counter, to watch state go through our storage scripts.</summary>
[Alias("tests.counter")]
public interface ICounterProbeGrain : IGrainWithStringKey
{
    [Alias("add")] Task<int> AddAsync(int amount);
    [Alias("get")] Task<int> GetAsync();
}

[GenerateSerializer, Alias("tests.counter-state")]
public sealed class CounterProbeState
{
    [Id(0)] public int Value { get; set; }
}

[GrainType("tests-counter")]
public sealed class CounterProbeGrain(
    [PersistentState(stateName: "tests-counter", storageName: OrleansHostingExtensions.GrainStorageName)] IPersistentState<CounterProbeState> state)
    : Grain, ICounterProbeGrain
{
    public async Task<int> AddAsync(int amount)
    {
        state.State.Value += amount;
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<int> GetAsync() => Task.FromResult(state.State.Value);
}

/// <summary>A grain whose reminder ticks are counted in this test process (silos run in-process).</summary>
[Alias("tests.reminder")]
public interface IReminderProbeGrain : IGrainWithStringKey
{
    [Alias("start")] Task StartAsync(TimeSpan period);
    [Alias("stop")] Task StopAsync();
}

[GrainType("tests-reminder")]
public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    public static readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> Ticks = new();

    public async Task StartAsync(TimeSpan period) => await this.RegisterOrUpdateReminder("probe", period, period);

    public async Task StopAsync()
    {
        if (await this.GetReminder("probe") is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Ticks.GetOrAdd(this.GetPrimaryKeyString(), _ => new()).Enqueue(DateTimeOffset.UtcNow);
        return Task.CompletedTask;
    }
}
