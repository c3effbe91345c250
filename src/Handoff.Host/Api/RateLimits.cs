using System.Threading.RateLimiting;

namespace Handoff.Host.Api;

/// <summary>Request limits of the public (unauthenticated) endpoints, per client address.</summary>
public static class RateLimits
{
    public const string Public = "public";

    public static IServiceCollection AddHandoffRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var permits = configuration.GetValue("Handoff:RateLimits:PublicPerMinute", 600);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Public, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1) }));
        });
        return services;
    }
}
