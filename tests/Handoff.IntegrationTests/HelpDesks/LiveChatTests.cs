using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Handoff.IntegrationTests.Conversations;
using Handoff.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Handoff.IntegrationTests.HelpDesks;

public sealed class LiveChatTests
{
    private const string SecretKey = "livechat-webhook-secret";

    private static async Task<(HandoffTestHost Host, string Address)> StartAsync(FakeLiveChat livechat, string agentId)
    {
        var h = await HandoffTestHost.StartAsync(new()
        {
            ["Handoff:HelpDesks:LiveChat:ApiBaseUrl"] = livechat.BaseUrl,
            ["Handoff:HelpDesks:LiveChat:AccountsBaseUrl"] = livechat.BaseUrl,
        });
        (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/handoff", new { sessionTimeoutSeconds = 1 })).EnsureSuccessStatusCode();
        var put = await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/helpdesk", new
        {
            kind = "livechat", settings = new { organizationId = livechat.OrganizationId, clientId = livechat.ClientId, webhookSecretKey = SecretKey, groupId = "2" },
        });
        var body = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("status").GetString() == "available", body.GetProperty("statusDetail").GetString());
        Assert.DoesNotContain(SecretKey, body.GetRawText());
        return (h, body.GetProperty("receivingAddress").GetString()!);
    }

    [Fact]
    public async Task A_hand_off_starts_a_livechat_chat_and_agent_messages_reach_the_user_once()
    {
        await using var livechat = await FakeLiveChat.StartAsync();
        var (h, address) = await StartAsync(livechat, "lc1");
        await using var _ = h;
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "lc1", email: "jane@example.com");
        await chat.SendAsync("hello");
        await chat.SendAsync("please, a real person");
        await chat.WaitForStateAsync("waiting-for-human");

        Assert.Equal("jane@example.com", Assert.Single(livechat.CallsTo("update_customer"))!["email"]!.ToString());
        var start = Assert.Single(livechat.CallsTo("start_chat"))!;
        Assert.Equal(2, start["chat"]!["access"]!["group_ids"]![0]!.GetValue<int>());
        var transcript = start["chat"]!["thread"]!["events"]![0]!["text"]!.ToString();
        Assert.StartsWith("Transcript:\nUser: hello\nBot: ", transcript);
        Assert.EndsWith("User: please, a real person", transcript);
        var entity = livechat.TokenGrants.Last();

        using var http = new HttpClient();
        var liveChatId = await WaitForChatIdAsync(livechat);

        async Task<HttpStatusCode> Send(string action, System.Text.Json.Nodes.JsonObject payload, string? key = SecretKey, string url = "") =>
            (await http.SendAsync(livechat.Webhook(url.Length > 0 ? url : address, action, payload, key))).StatusCode;

        Assert.Equal(HttpStatusCode.OK, await Send("incoming_event", FakeLiveChat.AgentMessage(liveChatId, "PZ_4", "Hi Jane, checking now.")));
        await chat.WaitForStateAsync("with-human");
        await chat.WaitForTextAsync("human", "Hi Jane, checking now.");
        Assert.Equal(HttpStatusCode.OK, await Send("incoming_event", FakeLiveChat.AgentMessage(liveChatId, "PZ_4", "Hi Jane, checking now.")));   // retried delivery
        Assert.Equal(HttpStatusCode.OK, await Send("incoming_event", FakeLiveChat.AgentMessage(liveChatId, "PZ_5", "our echo", author: entity)));
        Assert.Equal(HttpStatusCode.OK, await Send("incoming_event", FakeLiveChat.AgentMessage(liveChatId, "PZ_6", "internal note", visibility: "agents")));
        Assert.Equal(HttpStatusCode.OK, await Send("incoming_event", FakeLiveChat.AgentMessage(liveChatId, "PZ_7", "", type: "file")));
        await chat.WaitForTextAsync("human", "[file] label.png: https://cdn.example/label.png");
        Assert.Equal(HttpStatusCode.Unauthorized, await Send("incoming_event", FakeLiveChat.AgentMessage(liveChatId, "PZ_8", "forged"), key: "wrong"));
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync(address, new StringContent("{nope", System.Text.Encoding.UTF8, "application/json"))).StatusCode);

        livechat.ExpireAllTokens(); // the next call is refused with 401: one fresh token, then it goes through
        await chat.SendAsync("order 12345");
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!livechat.CallsTo("send_event").Any() && DateTime.UtcNow < until) await Task.Delay(50);
        var sent = Assert.Single(livechat.CallsTo("send_event"))!;
        Assert.Equal(liveChatId, sent["chat_id"]!.ToString());
        Assert.Equal("order 12345", sent["event"]!["text"]!.ToString());
        Assert.True(livechat.Refused401 >= 1);

        // The router closes the chat: no user_id in the payload.
        Assert.Equal(HttpStatusCode.OK, await Send("chat_deactivated", new System.Text.Json.Nodes.JsonObject { ["chat_id"] = liveChatId, ["thread_id"] = "PZ070E0W1B" }));
        await chat.WaitForStateAsync("bot", "human-ended");
        var texts = (await h.ConversationAsync(chat.ConversationId)).GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Single(texts, t => t == "Hi Jane, checking now.");
        Assert.DoesNotContain("our echo", texts);
        Assert.DoesNotContain("internal note", texts);
        Assert.DoesNotContain("forged", texts);
    }

    [Fact]
    public async Task The_session_timeout_deactivates_the_chat_and_an_expired_token_is_refreshed()
    {
        await using var livechat = await FakeLiveChat.StartAsync();
        livechat.TokenLifetimeSeconds = 61; // refreshed 60 s before expiry: every call needs a fresh one, but the cookie keeps the customer
        var (h, address) = await StartAsync(livechat, "lc2");
        await using var _ = h;
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "lc2", email: "max@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("waiting-for-human");
        var liveChatId = await WaitForChatIdAsync(livechat);

        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(livechat.Webhook(address, "incoming_event", FakeLiveChat.AgentMessage(liveChatId, "E1", "Hello Max"), SecretKey))).StatusCode);
        await chat.WaitForStateAsync("bot", "session-timeout", timeoutMs: 8000);

        var until = DateTime.UtcNow.AddSeconds(10);
        while (!livechat.CallsTo("deactivate_chat").Any() && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.Equal(liveChatId, Assert.Single(livechat.CallsTo("deactivate_chat"))!["id"]!.ToString());
        var entities = livechat.Calls.Select(c => c.Entity).Distinct().ToList();
        Assert.Single(entities); // every fresh token still names the same customer
        Assert.True(livechat.TokenGrants.Count >= 3, $"tokens were not refreshed ({livechat.TokenGrants.Count} grants)");
    }

    private static async Task<string> WaitForChatIdAsync(FakeLiveChat livechat)
    {
        // The fake answers start_chat with PJ<n>; the send/close calls and webhooks name it.
        var until = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < until)
        {
            if (livechat.Calls.Any(c => c.Method == "start_chat")) break;
            await Task.Delay(20);
        }

        return livechat.LastChatId ?? throw new InvalidOperationException("no chat started");
    }

    [Fact]
    public async Task Messages_written_while_livechat_is_down_arrive_once_and_in_order_after_it_recovers()
    {
        await using var livechat = await FakeLiveChat.StartAsync();
        var (h, address) = await StartAsync(livechat, "lc3");
        await using var _ = h;
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "lc3", email: "eve@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("waiting-for-human");
        var liveChatId = await WaitForChatIdAsync(livechat);

        // Delivered as LiveChat does (once more after a non-2xx); recorded at the first try, so no retry is needed.
        using var http = new HttpClient();
        var (first, retry) = await WebhookDelivery.DeliverAsync(http, () => livechat.Webhook(address, "incoming_event", FakeLiveChat.AgentMessage(liveChatId, "R1", "Hi Eve"), SecretKey));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Null(retry);
        await chat.WaitForStateAsync("with-human");

        livechat.Down = true;
        foreach (var text in new[] { "a", "b", "c" }) await chat.SendAsync(text);
        var until = DateTime.UtcNow.AddSeconds(10);
        while (livechat.Calls.Count(c => c.Method == "send_event (503)") < 2 && DateTime.UtcNow < until) await Task.Delay(50);
        livechat.Down = false;

        until = DateTime.UtcNow.AddSeconds(20);
        while (livechat.CallsTo("send_event").Count() < 3 && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.Equal(["a", "b", "c"], livechat.CallsTo("send_event").Select(b => b!["event"]!["text"]!.ToString()));
    }
}
