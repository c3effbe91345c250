using Handoff.Contracts.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Handoff.Host.Health;

/// <summary><c>/health/live</c> (the process answers) and <c>/health/ready</c> (grain calls work).</summary>
public static class HealthEndpoints
{
    public static IServiceCollection AddHandoffHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ClusterReadyCheck>("cluster", tags: ["ready"]);
        return services;
    }

    public static WebApplication MapHandoffHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });
        return app;
    }

    private sealed class ClusterReadyCheck(IGrainFactory grains) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var reply = await grains.GetGrain<IHealthProbeGrain>("ready").PingAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                return HealthCheckResult.Healthy($"grain calls answered by {reply.SiloAddress}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("grain calls fail", ex);
            }
        }
    }
}
