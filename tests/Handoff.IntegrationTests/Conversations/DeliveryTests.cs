using System.Net.Http.Json;
using System.Text.Json;
using Handoff.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Handoff.IntegrationTests.Conversations;

public sealed class DeliveryTests
{
    [Fact]
    public async Task Resume_after_a_dropped_connection_returns_what_was_missed_in_order_without_doubles()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync();
        var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "a@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        var handoffId = (await h.Desk.WaitForAsync("conversation/establish")).Str("conversation_id");
        await h.HumanSaysAsync(agentId, handoffId, "first", "1");
        var seen = (await chat.WaitForTextAsync("human", "first")).GetProperty("seq").GetInt64();
        await chat.DisposeAsync(); // the connection drops

        await h.HumanSaysAsync(agentId, handoffId, "second", "2");
        await h.HumanSaysAsync(agentId, handoffId, "third", "3");

        await using var again = await ChatClient.ConnectAsync(h.BaseAddress, chat.ConversationId, chat.Token);
        var missed = await again.Connection.InvokeAsync<List<System.Text.Json.JsonElement>>("Resume", seen);
        Assert.Equal(["second", "third"], missed.Select(m => m.GetProperty("text").GetString()));
        Assert.Equal([seen + 1, seen + 2], missed.Select(m => m.GetProperty("seq").GetInt64()));
        Assert.Empty(await again.Connection.InvokeAsync<List<System.Text.Json.JsonElement>>("Resume", seen + 2));

        var joined = await again.JoinAsync();
        Assert.Equal(seen + 2, joined.GetProperty("lastSeq").GetInt64());
        Assert.Equal("with-human", joined.GetProperty("state").GetString());
        var seqs = joined.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(seqs.Distinct().Order(), seqs);
    }

    [Fact]
    public async Task Connections_that_arrive_at_once_on_a_fresh_node_get_each_message_once()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync();
        using var http = new HttpClient { BaseAddress = h.BaseAddress };
        var created = await (await http.PostAsJsonAsync($"/api/agents/{agentId}/conversations", new { channel = "widget" })).Content.ReadFromJsonAsync<JsonElement>();
        // No connection has reached this node yet: these all make its push subscription at the same moment.
        var clients = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ =>
            ChatClient.ConnectAsync(h.BaseAddress, created.GetProperty("conversationId").GetString()!, created.GetProperty("token").GetString()!)));
        try
        {
            var seq = await clients[0].SendAsync("hello from one of many tabs");
            foreach (var client in clients)
            {
                await client.WaitForMessageAsync(m => m.GetProperty("seq").GetInt64() == seq);
            }

            await clients[0].WaitForMessageAsync(m => m.GetProperty("from").GetString() == "bot");
            Assert.All(clients, c => Assert.Equal(c.Pushed.Distinct().Count(), c.Pushed.Count));
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Messages_sent_while_the_desk_is_down_reach_it_once_and_in_order_when_it_is_back()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync();
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "a@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        var handoffId = (await h.Desk.WaitForAsync("conversation/establish")).Str("conversation_id");
        await h.HumanSaysAsync(agentId, handoffId, "hello");
        await chat.WaitForStateAsync("with-human");

        h.Desk.FailWith = 503;
        var texts = Enumerable.Range(1, 6).Select(i => $"message {i}").ToList();
        foreach (var text in texts)
        {
            await chat.SendAsync(text);
        }

        var until = DateTime.UtcNow.AddSeconds(10);
        while (h.Desk.Calls.Count(c => !c.Accepted) < 2 && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.True(h.Desk.Calls.Count(c => !c.Accepted) >= 2, "the outbox did not retry while the desk was down");
        Assert.Empty(h.Desk.Accepted("chat"));

        h.Desk.FailWith = null;
        await h.Desk.WaitForAsync("chat", c => c.Str("body") == "message 6", timeoutMs: 20_000);
        var delivered = h.Desk.Accepted("chat").ToList();
        Assert.Equal(texts, delivered.Select(c => c.Str("body")));
        Assert.Equal(delivered.Count, delivered.Select(c => c.Str("message_id")).Distinct().Count());
    }
}
