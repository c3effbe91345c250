using System.Threading.RateLimiting;
using Handoff.Host.Security;

namespace Handoff.Host.Api;

/// <summary>
/// Request limits: public (unauthenticated) endpoints per client address; help-desk webhooks per help-desk
/// connection, since a desk delivers from a few addresses for all its customers and a burst after a restart must not
/// be refused by a per-address limit.
/// </summary>
public static class RateLimits
{
    public const string Public = "public";

    /// <summary>For a request whose receiving key checks, that connection's limit; otherwise a per-address limit of the public size.</summary>
    public const string HelpDeskWebhooks = "helpdesk-webhooks";

    public static IServiceCollection AddHandoffRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var permits = configuration.GetValue("Handoff:RateLimits:PublicPerMinute", 600);
        var webhookPermits = configuration.GetValue("Handoff:RateLimits:HelpDeskWebhooksPerMinute", 6000);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Public, PerAddress);
            o.AddPolicy(HelpDeskWebhooks, context =>
            {
                // Only a key whose MAC checks gets its own partition, so made-up keys cannot buy themselves fresh limits.
                var keys = context.RequestServices.GetRequiredService<HandoffKeys>();
                var key = context.GetRouteValue("receivingKey") as string ?? AuthenticationSetup.BearerOrQueryToken(context.Request, allowQuery: false);
                return keys.ReadReceivingKey(key) is { } connection
                    ? RateLimitPartition.GetFixedWindowLimiter("desk:" + connection.AgentId + "." + connection.Nonce,
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = webhookPermits, Window = TimeSpan.FromMinutes(1) })
                    : PerAddress(context);
            });
        });
        return services;

        RateLimitPartition<string> PerAddress(HttpContext context) => RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1) });
    }
}
