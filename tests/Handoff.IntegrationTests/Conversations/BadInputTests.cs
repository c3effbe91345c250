using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Handoff.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Handoff.IntegrationTests.Conversations;

public sealed class BadInputTests
{
    [Fact]
    public async Task The_hub_refuses_connections_without_a_valid_token()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync();
        await using var good = await ChatClient.StartAsync(h.BaseAddress, agentId);

        var tampered = good.Token[..^2] + (good.Token[^2] == 'A' ? "BB" : "AA");
        foreach (var token in new[] { "", "garbage", tampered })
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(h.BaseAddress, "/hubs/chat"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .Build();
            await Assert.ThrowsAnyAsync<Exception>(() => connection.StartAsync());
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task Hub_calls_with_bad_input_fail_with_a_hub_error_and_store_nothing()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync();
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId);

        await Assert.ThrowsAsync<HubException>(() => chat.Connection.InvokeAsync("SetEmail", "not-an-email"));
        await Assert.ThrowsAsync<HubException>(() => chat.Connection.InvokeAsync<JsonElement>("Send", "   ", "x"));
        await Assert.ThrowsAsync<HubException>(() => chat.Connection.InvokeAsync<JsonElement>("Send", new string('a', 4001), "y"));

        var view = await h.ConversationAsync(chat.ConversationId);
        Assert.Equal(0, view.GetProperty("lastSeq").GetInt64());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("email").ValueKind);
    }

    [Fact]
    public async Task Desk_webhooks_answer_401_400_404_and_409_and_change_nothing()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync();
        var otherAgent = await h.CreateAgentAsync();
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "a@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        var handoffId = (await h.Desk.WaitForAsync("conversation/establish")).Str("conversation_id");
        using var http = new HttpClient { BaseAddress = h.BaseAddress };

        async Task<HttpStatusCode> Post(string? key, string body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/human/message/receive") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return (await http.SendAsync(request)).StatusCode;
        }

        var valid = JsonSerializer.Serialize(new { conversation_id = handoffId, timestamp = 1, body = "hi" });
        var key = h.ReceivingKeys[agentId];
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(null, valid));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post("wrong", valid));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(key[..^3] + "abc", valid));
        Assert.Equal(HttpStatusCode.BadRequest, await Post(key, "{not json"));
        Assert.Equal(HttpStatusCode.BadRequest, await Post(key, JsonSerializer.Serialize(new { conversation_id = handoffId })));
        Assert.Equal(HttpStatusCode.NotFound, await Post(key, JsonSerializer.Serialize(new { conversation_id = "h-unknown", body = "hi" })));
        Assert.Equal(HttpStatusCode.NotFound, await Post(h.ReceivingKeys[otherAgent], valid)); // another agent's conversation

        var view = await h.ConversationAsync(chat.ConversationId);
        Assert.Equal("waiting-for-human", view.GetProperty("state").GetString());
        Assert.DoesNotContain(view.GetProperty("messages").EnumerateArray(), m => m.GetProperty("from").GetString() == "human");

        await chat.Connection.InvokeAsync("EndHuman");
        await chat.WaitForStateAsync("bot", "user-ended");
        Assert.Equal(HttpStatusCode.Conflict, await Post(key, valid));
    }

    [Fact]
    public async Task Signed_desks_must_sign_and_we_sign_what_we_send()
    {
        const string secret = "shared-signing-secret";
        await using var desk = await FakeWebhookDesk.StartAsync(username: "desk", password: "pw-1234", signingSecret: secret);
        await using var h = await HandoffTestHost.StartAsync(desk: desk);
        var agentId = await h.CreateAgentAsync(deskSettings: new() { ["username"] = "desk", ["password"] = "pw-1234", ["signingSecret"] = secret });
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "a@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        var handoffId = (await desk.WaitForAsync("conversation/establish")).Str("conversation_id");
        Assert.Empty(desk.Problems); // Basic credentials and signature were right

        Assert.Equal(HttpStatusCode.Unauthorized, (await h.HumanSaysAsync(agentId, handoffId, "unsigned")).StatusCode);

        var raw = JsonSerializer.Serialize(new { conversation_id = handoffId, timestamp = 1, body = "signed hello", message_id = "s1" });
        async Task<HttpStatusCode> PostSigned(DateTimeOffset at)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/human/message/receive") { Content = new StringContent(raw, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", h.ReceivingKeys[agentId]);
            request.Headers.Add("X-Handoff-Signature", Handoff.HelpDesks.Webhook.WebhookSignature.Create(secret, at, Encoding.UTF8.GetBytes(raw)));
            return (await new HttpClient { BaseAddress = h.BaseAddress }.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await PostSigned(DateTimeOffset.UtcNow.AddMinutes(-10)));
        Assert.Equal(HttpStatusCode.OK, await PostSigned(DateTimeOffset.UtcNow));
        await chat.WaitForTextAsync("human", "signed hello");
    }

    [Fact]
    public async Task Conversation_api_answers_404_for_unknown_ids_and_401_without_the_admin_key()
    {
        await using var h = await HandoffTestHost.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await h.Admin.GetAsync("/api/conversations/cAAAAAAAAAAAAAAAAAAAAAAAAAAA")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await h.Admin.GetAsync("/api/conversations/12345")).StatusCode);
        using var anonymous = new HttpClient { BaseAddress = h.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/conversations/cAAAAAAAAAAAAAAAAAAAAAAAAAAA")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsJsonAsync("/api/agents/nobody-here/conversations", new { channel = "widget" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.PostAsJsonAsync("/api/agents/nobody-here/conversations", new { channel = "fax" })).StatusCode);
    }
}
