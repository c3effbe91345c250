using Handoff.Contracts.Health;
using Orleans.Concurrency;

namespace Handoff.Grains.Health;

/// <summary>Answers readiness pings on whichever silo is local to the caller.</summary>
[StatelessWorker, GrainType("health-probe")]
public sealed class HealthProbeGrain(TimeProvider time) : Grain, IHealthProbeGrain
{
    public Task<HealthProbeReply> PingAsync() => Task.FromResult(new HealthProbeReply(RuntimeIdentity, time.GetUtcNow()));
}
