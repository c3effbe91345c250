namespace Handoff.Contracts.Health;

/// <summary>
/// A stateless grain the readiness check calls: when it answers, the cluster can place and run grains,
/// whether this process is a silo (role <c>all</c>) or a client of one (role <c>frontend</c>).
/// </summary>
[Alias("handoff.health-probe")]
public interface IHealthProbeGrain : IGrainWithStringKey
{
    [Alias("ping")]
    Task<HealthProbeReply> PingAsync();
}

[GenerateSerializer, Immutable, Alias("handoff.health-probe-reply")]
public sealed record HealthProbeReply([property: Id(0)] string SiloAddress, [property: Id(1)] DateTimeOffset At);
