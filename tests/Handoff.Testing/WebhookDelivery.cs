namespace Handoff.Testing;

/// <summary>How the fakes deliver webhooks: like the real desks, one more try when the receiver did not answer 2xx.</summary>
public static class WebhookDelivery
{
    /// <param name="request">Builds the request; called again (same bytes, same signature) for the retry.</param>
    public static async Task<(HttpResponseMessage First, HttpResponseMessage? Retry)> DeliverAsync(HttpClient http, Func<HttpRequestMessage> request)
    {
        var first = await http.SendAsync(request());
        if (first.IsSuccessStatusCode)
        {
            return (first, null);
        }

        return (first, await http.SendAsync(request()));
    }
}
