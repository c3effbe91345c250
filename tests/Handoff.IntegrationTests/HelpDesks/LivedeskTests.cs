using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.IntegrationTests.Conversations;
using Handoff.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Handoff.IntegrationTests.HelpDesks;

public sealed class LivedeskTests
{
    private const string Secret = "ld-webhook-secret";

    [Fact]
    public async Task A_hand_off_opens_a_livedesk_conversation_as_the_contact_and_the_agents_replies_come_back()
    {
        await using var livedesk = await FakeLivedesk.StartAsync();
        await using var h = await HandoffTestHost.StartAsync();
        (await h.Admin.PutAsJsonAsync("/api/agents/ld1/handoff", new { })).EnsureSuccessStatusCode();
        var put = await (await h.Admin.PutAsJsonAsync("/api/agents/ld1/helpdesk", new
        {
            kind = "livedesk", settings = new { apiKey = livedesk.ApiKey, apiSecret = livedesk.ApiSecret, baseUrl = livedesk.BaseUrl, inboxId = "407", webhookSecret = Secret },
        })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("available", put.GetProperty("status").GetString());
        var address = put.GetProperty("receivingAddress").GetString()!;

        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "ld1", email: "jane@example.com");
        await chat.SendAsync("I'd like a person");
        await chat.WaitForStateAsync("waiting-for-human");
        var contact = Assert.Single(livedesk.CallsTo("/contacts"))!;
        Assert.Equal(407, contact["inbox_id"]!.GetValue<int>());
        Assert.Equal("jane@example.com", contact["email"]!.ToString());
        var conversationId = livedesk.Calls.First(c => c.Path.EndsWith("/messages")).Path.Split('/')[2];
        var transcript = Assert.Single(livedesk.CallsTo($"/conversations/{conversationId}/messages"))!;
        Assert.Equal("incoming", transcript["message_type"]!.ToString());
        Assert.EndsWith("User: I'd like a person", transcript["content"]!.ToString());

        using var http = new HttpClient();
        async Task<HttpStatusCode> Send(JsonObject payload, string? secret = Secret, DateTimeOffset? at = null) =>
            (await http.SendAsync(FakeLivedesk.Webhook(address, payload, secret, at))).StatusCode;

        Assert.Equal(HttpStatusCode.OK, await Send(FakeLivedesk.AgentMessage(conversationId, 3030, "Hi Jane, checking now.")));
        await chat.WaitForStateAsync("with-human");
        await chat.WaitForTextAsync("human", "Hi Jane, checking now.");
        Assert.Equal(HttpStatusCode.OK, await Send(FakeLivedesk.AgentMessage(conversationId, 3030, "Hi Jane, checking now.")));
        Assert.Equal(HttpStatusCode.OK, await Send(FakeLivedesk.AgentMessage(conversationId, 3031, "our own echo", messageType: "incoming", senderType: "contact")));
        Assert.Equal(HttpStatusCode.OK, await Send(FakeLivedesk.AgentMessage(conversationId, 3032, "private note", isPrivate: true)));
        Assert.Equal(HttpStatusCode.Unauthorized, await Send(FakeLivedesk.AgentMessage(conversationId, 3033, "forged"), secret: "wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Send(FakeLivedesk.AgentMessage(conversationId, 3034, "stale"), at: DateTimeOffset.UtcNow.AddMinutes(-10)));

        await chat.SendAsync("thanks");
        var until = DateTime.UtcNow.AddSeconds(10);
        while (livedesk.CallsTo($"/conversations/{conversationId}/messages").Count() < 2 && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.Equal("thanks", livedesk.CallsTo($"/conversations/{conversationId}/messages").Last()!["content"]!.ToString());

        await chat.Connection.InvokeAsync("EndHuman");
        await chat.WaitForStateAsync("bot", "user-ended");
        until = DateTime.UtcNow.AddSeconds(10);
        while (!livedesk.CallsTo($"/conversations/{conversationId}/toggle_status").Any() && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.Equal("resolved", Assert.Single(livedesk.CallsTo($"/conversations/{conversationId}/toggle_status"))!["status"]!.ToString());

        var texts = (await h.ConversationAsync(chat.ConversationId)).GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Single(texts, t => t == "Hi Jane, checking now.");
        Assert.DoesNotContain("our own echo", texts);
        Assert.DoesNotContain("private note", texts);
        Assert.DoesNotContain("forged", texts);
    }

    [Fact]
    public async Task A_resolved_conversation_ends_the_hand_off_and_a_wrong_key_is_unavailable()
    {
        await using var livedesk = await FakeLivedesk.StartAsync();
        await using var h = await HandoffTestHost.StartAsync();
        (await h.Admin.PutAsJsonAsync("/api/agents/ld2/handoff", new { })).EnsureSuccessStatusCode();
        var wrong = await (await h.Admin.PutAsJsonAsync("/api/agents/ld2/helpdesk", new { kind = "livedesk", settings = new { apiKey = "x", apiSecret = "y-1234", baseUrl = livedesk.BaseUrl } })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unavailable", wrong.GetProperty("status").GetString());
        var put = await (await h.Admin.PutAsJsonAsync("/api/agents/ld2/helpdesk", new { kind = "livedesk", settings = new { apiKey = livedesk.ApiKey, apiSecret = livedesk.ApiSecret, baseUrl = livedesk.BaseUrl, inboxId = "407" } })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("no webhookSecret", put.GetProperty("statusDetail").GetString());

        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "ld2", email: "max@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("waiting-for-human");
        var conversationId = livedesk.Calls.First(c => c.Path.EndsWith("/messages")).Path.Split('/')[2];

        using var http = new HttpClient();
        var resolved = new JsonObject { ["event"] = "conversation_status_changed", ["id"] = long.Parse(conversationId), ["status"] = "resolved", ["inbox_id"] = 407 };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(FakeLivedesk.Webhook(put.GetProperty("receivingAddress").GetString()!, resolved, null))).StatusCode);
        await chat.WaitForStateAsync("bot", "human-ended");
    }

    [Fact]
    public async Task A_lost_webhook_is_recovered_by_reading_the_desk_conversation_once_and_in_order()
    {
        await using var livedesk = await FakeLivedesk.StartAsync();
        await using var h = await HandoffTestHost.StartAsync(new() { ["Handoff:Conversations:ReconcileQuietPeriod"] = "00:00:01" });
        (await h.Admin.PutAsJsonAsync("/api/agents/ld3/handoff", new { })).EnsureSuccessStatusCode();
        var put = await (await h.Admin.PutAsJsonAsync("/api/agents/ld3/helpdesk", new { kind = "livedesk", settings = new { apiKey = livedesk.ApiKey, apiSecret = livedesk.ApiSecret, baseUrl = livedesk.BaseUrl, inboxId = "407" } })).Content.ReadFromJsonAsync<JsonElement>();
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "ld3", email: "max@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("waiting-for-human");
        var conversationId = livedesk.Calls.First(c => c.Path.EndsWith("/messages")).Path.Split('/')[2];

        var first = livedesk.AgentAnswersWithoutWebhook(conversationId, "Hello Max, Sam here.");
        livedesk.AgentAnswersWithoutWebhook(conversationId, "How can I help?");
        await chat.WaitForStateAsync("with-human", timeoutMs: 8000);
        await chat.WaitForTextAsync("human", "How can I help?", timeoutMs: 8000);

        // The webhook arrives after all: it is the same message, shown once.
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(FakeLivedesk.Webhook(put.GetProperty("receivingAddress").GetString()!,
            FakeLivedesk.AgentMessage(conversationId, first, "Hello Max, Sam here."), null))).StatusCode);
        await Task.Delay(2500); // two more quiet periods: the read-back runs again and must add nothing
        var humans = (await h.ConversationAsync(chat.ConversationId)).GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("from").GetString() == "human").Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Equal(["Hello Max, Sam here.", "How can I help?"], humans);
    }
}
