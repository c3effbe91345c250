using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Handoff.HelpDesks.Intercom;
using Handoff.IntegrationTests.Conversations;
using Handoff.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Handoff.IntegrationTests.HelpDesks;

public sealed class IntercomTests
{
    private const string Secret = "test_client_secret";

    [Fact]
    public void The_signature_matches_the_published_test_vector()
    {
        var body = "{\"type\":\"notification_event\",\"topic\":\"ping\"}"u8.ToArray();
        Assert.Equal("sha1=59dc376710f2bb3f57a9fdb4921361641556cfb1", IntercomWebhook.Sign(Secret, body));
        Assert.Equal("Hi Jane,\nI can help & more.", IntercomWebhook.ToPlainText("<p>Hi Jane,<br>I can <b class=\"x\">help</b> &amp; more.</p>"));
    }

    [Fact]
    public async Task A_hand_off_opens_an_intercom_conversation_and_the_admins_replies_reach_the_user()
    {
        await using var intercom = await FakeIntercom.StartAsync();
        await using var h = await HandoffTestHost.StartAsync(new() { ["Handoff:HelpDesks:Intercom:BaseUrl"] = intercom.BaseUrl });
        (await h.Admin.PutAsJsonAsync("/api/agents/icom/handoff", new { })).EnsureSuccessStatusCode();
        var put = await h.Admin.PutAsJsonAsync("/api/agents/icom/helpdesk", new { kind = "intercom", settings = new { accessToken = intercom.Token, clientSecret = Secret } });
        var connection = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("available", connection.GetProperty("status").GetString());
        Assert.DoesNotContain(intercom.Token, connection.GetRawText());
        var address = connection.GetProperty("receivingAddress").GetString()!;
        Assert.Contains("/webhooks/intercom/", address);

        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "icom", email: "jane@example.com");
        await chat.SendAsync("hello");
        await chat.SendAsync("I need a human");
        await chat.WaitForStateAsync("waiting-for-human");

        var created = Assert.Single(intercom.CallsTo("POST", "/conversations"));
        Assert.Equal("user", created.Body!["from"]!["type"]!.ToString());
        Assert.Equal(intercom.ContactsByEmail["jane@example.com"], created.Body["from"]!["id"]!.ToString());
        Assert.StartsWith("Transcript:\nUser: hello\nBot: ", created.Body["body"]!.ToString());
        Assert.EndsWith("User: I need a human", created.Body["body"]!.ToString());
        Assert.All(intercom.Calls, c => Assert.Equal("2.14", c.Version));
        var conversationId = intercom.ContactOfConversation.Keys.Single();

        using var http = new HttpClient();
        var notification = FakeIntercom.Notification(address, "conversation.admin.replied", conversationId, Secret, html: "<p>Hi Jane, <b>Sam</b> here.</p>", notificationId: "notif_1");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(notification)).StatusCode);
        await chat.WaitForStateAsync("with-human");
        var reply = await chat.WaitForTextAsync("human", "Hi Jane, Sam here.");
        Assert.Equal("Sam", reply.GetProperty("senderName").GetString());
        var again = FakeIntercom.Notification(address, "conversation.admin.replied", conversationId, Secret, html: "<p>Hi Jane, <b>Sam</b> here.</p>", notificationId: "notif_1");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(again)).StatusCode);

        await chat.SendAsync("my order is 12345");
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!intercom.CallsTo("POST", $"/conversations/{conversationId}/reply").Any() && DateTime.UtcNow < until) await Task.Delay(50);
        var userReply = Assert.Single(intercom.CallsTo("POST", $"/conversations/{conversationId}/reply"));
        Assert.Equal("user", userReply.Body!["type"]!.ToString());
        Assert.Equal("my order is 12345", userReply.Body["body"]!.ToString());

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(FakeIntercom.Notification(address, "conversation.admin.snoozed", conversationId, Secret, partType: "snoozed"))).StatusCode);
        await chat.WaitForMessageAsync(m => m.GetProperty("from").GetString() == "system" && m.GetProperty("text").GetString()!.Contains("be back"));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(FakeIntercom.Notification(address, "conversation.read", conversationId, Secret))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(FakeIntercom.Notification(address, "conversation.admin.assigned", conversationId, Secret))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(FakeIntercom.Notification(address, "conversation.admin.replied", conversationId, "wrong-secret", html: "<p>forged</p>"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(FakeIntercom.Notification(address + "x", "conversation.admin.replied", conversationId, Secret, html: "<p>x</p>"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(FakeIntercom.Notification(address, "conversation.admin.replied", "999999", Secret, html: "<p>x</p>"))).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(FakeIntercom.Notification(address, "conversation.admin.closed", conversationId, Secret, partType: "close"))).StatusCode);
        await chat.WaitForStateAsync("bot", "human-ended");

        var view = await h.ConversationAsync(chat.ConversationId);
        var texts = view.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Single(texts, t => t == "Hi Jane, Sam here.");
        Assert.DoesNotContain("forged", texts);
        Assert.Empty(intercom.CallsTo("POST", $"/conversations/{conversationId}/parts")); // the admin closed it; we do not close again
    }

    [Fact]
    public async Task The_user_ending_closes_the_intercom_conversation_as_the_token_admin_and_a_bad_token_is_unavailable()
    {
        await using var intercom = await FakeIntercom.StartAsync();
        await using var h = await HandoffTestHost.StartAsync(new() { ["Handoff:HelpDesks:Intercom:BaseUrl"] = intercom.BaseUrl });
        (await h.Admin.PutAsJsonAsync("/api/agents/icom2/handoff", new { })).EnsureSuccessStatusCode();

        var bad = await (await h.Admin.PutAsJsonAsync("/api/agents/icom2/helpdesk", new { kind = "intercom", settings = new { accessToken = "wrong" } })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unavailable", bad.GetProperty("status").GetString());
        Assert.Contains("401", bad.GetProperty("statusDetail").GetString());

        var good = await (await h.Admin.PutAsJsonAsync("/api/agents/icom2/helpdesk", new { kind = "intercom", settings = new { accessToken = intercom.Token } })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("available", good.GetProperty("status").GetString());
        Assert.Contains("no clientSecret", good.GetProperty("statusDetail").GetString());

        intercom.ContactsByEmail["known@example.com"] = "contact-known";
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "icom2", email: "known@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("waiting-for-human");
        Assert.Empty(intercom.CallsTo("POST", "/contacts")); // found by search, not created again
        var conversationId = intercom.ContactOfConversation.Single(kv => kv.Value == "contact-known").Key;

        await chat.Connection.InvokeAsync("EndHuman");
        await chat.WaitForStateAsync("bot", "user-ended");
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!intercom.CallsTo("POST", $"/conversations/{conversationId}/parts").Any() && DateTime.UtcNow < until) await Task.Delay(50);
        var close = Assert.Single(intercom.CallsTo("POST", $"/conversations/{conversationId}/parts"));
        Assert.Equal("close", close.Body!["message_type"]!.ToString());
        Assert.Equal(FakeIntercom.AdminId, close.Body["admin_id"]!.ToString());
    }

    [Fact]
    public async Task A_rate_limit_is_waited_out_and_an_outage_is_retried_until_messages_arrive_once_and_in_order()
    {
        await using var intercom = await FakeIntercom.StartAsync();
        await using var h = await HandoffTestHost.StartAsync(new() { ["Handoff:HelpDesks:Intercom:BaseUrl"] = intercom.BaseUrl });
        (await h.Admin.PutAsJsonAsync("/api/agents/icom3/handoff", new { })).EnsureSuccessStatusCode();
        (await h.Admin.PutAsJsonAsync("/api/agents/icom3/helpdesk", new { kind = "intercom", settings = new { accessToken = intercom.Token } })).EnsureSuccessStatusCode();
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "icom3", email: "ann@example.com");

        intercom.RateLimitNext = 1; // the first call of the hand-off is refused with 429 and retried after Retry-After
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("waiting-for-human");
        Assert.Contains(intercom.Calls, c => c.Path.EndsWith("(429)"));
        var conversationId = intercom.ContactOfConversation.Keys.Single();

        intercom.Down = true;
        foreach (var text in new[] { "one", "two", "three" }) await chat.SendAsync(text);
        var until = DateTime.UtcNow.AddSeconds(10);
        while (intercom.Calls.Count(c => c.Path.EndsWith("(503)")) < 2 && DateTime.UtcNow < until) await Task.Delay(50);
        intercom.Down = false;

        until = DateTime.UtcNow.AddSeconds(20);
        while (intercom.CallsTo("POST", $"/conversations/{conversationId}/reply").Count() < 3 && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.Equal(["one", "two", "three"], intercom.CallsTo("POST", $"/conversations/{conversationId}/reply").Select(c => c.Body!["body"]!.ToString()));
    }

    [Fact]
    public async Task The_wait_timeout_closes_the_intercom_conversation()
    {
        await using var intercom = await FakeIntercom.StartAsync();
        await using var h = await HandoffTestHost.StartAsync(new() { ["Handoff:HelpDesks:Intercom:BaseUrl"] = intercom.BaseUrl });
        (await h.Admin.PutAsJsonAsync("/api/agents/icom4/handoff", new { waitTimeoutSeconds = 1 })).EnsureSuccessStatusCode();
        (await h.Admin.PutAsJsonAsync("/api/agents/icom4/helpdesk", new { kind = "intercom", settings = new { accessToken = intercom.Token } })).EnsureSuccessStatusCode();
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "icom4", email: "tim@example.com");

        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("wait-timeout-prompt");
        await chat.WaitForStateAsync("bot", "wait-timeout");

        var conversationId = intercom.ContactOfConversation.Keys.Single();
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!intercom.CallsTo("POST", $"/conversations/{conversationId}/parts").Any() && DateTime.UtcNow < until) await Task.Delay(50);
        var close = Assert.Single(intercom.CallsTo("POST", $"/conversations/{conversationId}/parts"));
        Assert.Equal("close", close.Body!["message_type"]!.ToString());
        Assert.Contains("timed out", close.Body["body"]!.ToString());
    }
}
