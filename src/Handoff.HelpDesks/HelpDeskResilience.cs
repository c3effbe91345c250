using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Handoff.HelpDesks;

/// <summary>
/// Timeouts and retries for help-desk APIs: a 429 (honouring Retry-After) or a connection that never reached the desk
/// is retried for any call; other transient failures only for reads, since a POST that may have succeeded would be
/// done twice by desks that do not deduplicate.
/// </summary>
public static class HelpDeskResilience
{
    public static IHttpClientBuilder AddHelpDeskResilience(this IHttpClientBuilder builder)
    {
        builder.AddStandardResilienceHandler(o =>
        {
            o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(8);
            o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(20);
            o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
            o.Retry.MaxRetryAttempts = 3;
            o.Retry.Delay = TimeSpan.FromMilliseconds(300);
            o.Retry.BackoffType = DelayBackoffType.Exponential;
            o.Retry.ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome));
        });
        return builder;
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Result is { } response)
        {
            var safe = response.RequestMessage?.Method == HttpMethod.Get;
            return response.StatusCode == HttpStatusCode.TooManyRequests ||
                   (safe && (response.StatusCode >= HttpStatusCode.InternalServerError || response.StatusCode == HttpStatusCode.RequestTimeout));
        }

        return outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
    }
}
