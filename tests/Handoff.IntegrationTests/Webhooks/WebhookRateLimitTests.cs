using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Handoff.IntegrationTests.Conversations;
using Handoff.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Handoff.IntegrationTests.Webhooks;

public sealed class WebhookRateLimitTests
{
    [Fact]
    public async Task A_desk_is_limited_per_connection_not_by_the_public_per_address_limit_and_made_up_keys_stay_under_the_public_one()
    {
        await using var h = await HandoffTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Handoff:RateLimits:PublicPerMinute"] = "3",
            ["Handoff:RateLimits:HelpDeskWebhooksPerMinute"] = "8",
        });
        var agentId = await h.CreateAgentAsync();
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "a@example.com"); // one public request
        await chat.Connection.InvokeAsync("RequestHuman");
        var handoffId = (await h.Desk.WaitForAsync("conversation/establish")).Str("conversation_id")!;

        // A desk's burst from one address: far past the public limit of 3, within the connection's 8.
        for (var i = 1; i <= 8; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await h.HumanSaysAsync(agentId, handoffId, $"reply {i}", $"m{i}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await h.HumanSaysAsync(agentId, handoffId, "one too many", "m9")).StatusCode);
        await chat.WaitForTextAsync("human", "reply 8");

        // Keys that do not check are limited per address, like public endpoints (3 a minute), whatever key they make up.
        using var http = new HttpClient { BaseAddress = h.BaseAddress };
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/human/message/receive")
            {
                Content = JsonContent.Create(new { conversation_id = handoffId, body = "forged" }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", $"{agentId}.made-up-{i}.bm90LWEtbWFj");
            statuses.Add((await http.SendAsync(request)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }
}
