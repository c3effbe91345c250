using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.HelpDesks.Sobot;
using Handoff.IntegrationTests.Conversations;
using Handoff.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Handoff.IntegrationTests.HelpDesks;

public sealed class SobotTests
{
    private static Dictionary<string, string?> Config(FakeSobot sobot, bool withEnd = false) => new()
    {
        ["Handoff:HelpDesks:Sobot:BaseUrl"] = sobot.BaseUrl,
        ["Handoff:HelpDesks:Sobot:TransferPath"] = FakeSobot.TransferPath,
        ["Handoff:HelpDesks:Sobot:EndPath"] = withEnd ? FakeSobot.EndPath : null,
    };

    private static async Task<JsonElement> ConnectAsync(HandoffTestHost h, FakeSobot sobot, string agentId, object? handoff = null, bool signed = true, string? appKey = null, string? baseUrl = null)
    {
        (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/handoff", handoff ?? new { })).EnsureSuccessStatusCode();
        var settings = new Dictionary<string, string> { ["appId"] = sobot.AppId, ["appKey"] = appKey ?? sobot.AppKey };
        if (signed)
        {
            settings["companyId"] = sobot.CompanyId;
            settings["forwardingKey"] = sobot.ForwardingKey;
        }

        if (baseUrl is not null) settings["baseUrl"] = baseUrl;
        var response = await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/helpdesk", new { kind = "sobot", settings });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A visitor of the Sobot widget: the widget's partnerid is our userId.</summary>
    private static async Task<ChatClient> VisitorAsync(HandoffTestHost h, string agentId, string partnerId, string channel = "sobot")
    {
        using var http = new HttpClient { BaseAddress = h.BaseAddress };
        var created = await (await http.PostAsJsonAsync($"/api/agents/{agentId}/conversations", new { channel, email = "li@example.com", userId = partnerId }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        return await ChatClient.ConnectAsync(h.BaseAddress, created.GetProperty("conversationId").GetString()!, created.GetProperty("token").GetString()!);
    }

    private static async Task<List<(string? Text, string? Sender)>> HumanMessagesAsync(HandoffTestHost h, ChatClient chat) =>
        (await h.ConversationAsync(chat.ConversationId)).GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("from").GetString() == "human")
            .Select(m => (m.GetProperty("text").GetString(), m.GetProperty("senderName").GetString())).ToList();

    [Fact]
    public void The_token_sign_matches_the_published_vector_and_the_forwarding_sign_is_md5_of_the_concatenation()
    {
        Assert.Equal("0a645c19b2ee1ec14076b8b1017c57f7", SobotSign.Token("appid123", "1569397773", "key456"));
        var expected = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes("c11609224926723635k1")));
        Assert.Equal(expected, SobotSign.Forwarding("c1", "1609224926723", "635", "k1"));
    }

    [Fact]
    public async Task A_hand_off_from_the_sobot_widget_asks_sobot_for_a_human_and_the_agents_messages_reach_the_user_once_and_in_order()
    {
        await using var sobot = await FakeSobot.StartAsync();
        await using var h = await HandoffTestHost.StartAsync(Config(sobot));
        var put = await ConnectAsync(h, sobot, "so1");
        Assert.Equal("available", put.GetProperty("status").GetString());
        Assert.DoesNotContain(sobot.AppKey, put.ToString());
        Assert.DoesNotContain(sobot.ForwardingKey, put.ToString());
        var address = put.GetProperty("receivingAddress").GetString()!;
        Assert.Contains("/webhooks/sobot/", address);

        await using var chat = await VisitorAsync(h, "so1", "partner-7f3a");
        await chat.SendAsync("I'd like a person");
        await chat.WaitForStateAsync("waiting-for-human");
        var transfer = Assert.Single(sobot.AcceptedCallsTo(FakeSobot.TransferPath))!;
        Assert.Equal("partner-7f3a", transfer["partnerId"]!.ToString());
        Assert.Equal("li@example.com", transfer["email"]!.ToString());
        Assert.StartsWith("Transcript:", transfer["content"]!.ToString());
        Assert.EndsWith("User: I'd like a person", transfer["content"]!.ToString());

        using var http = new HttpClient();
        var (push, _) = await sobot.SendAsync(http, address, FakeSobot.AgentMessage("partner-7f3a", "M1", "Hi, Sam here."));
        Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        await chat.WaitForStateAsync("with-human");
        Assert.Equal("Sam", (await chat.WaitForTextAsync("human", "Hi, Sam here.")).GetProperty("senderName").GetString());

        // A forwarding batch: the company's whole traffic, with a repeat, another visitor, the user's own words and a picture.
        var batch = new JsonArray(
            FakeSobot.AgentMessage("partner-7f3a", "M1", "Hi, Sam here."),
            FakeSobot.AgentMessage("partner-7f3a", "M2", "How can I help?"),
            FakeSobot.AgentMessage("someone-else", "M9", "not for us"),
            new JsonObject { ["type"] = 103, ["partnerId"] = "partner-7f3a", ["msgId"] = "U1", ["content"] = "the user's own words" },
            FakeSobot.AgentMessage("partner-7f3a", "M3", "https://files.sobot.example/label.png", msgType: "image"),
            FakeSobot.AgentMessage("partner-7f3a", "M4", "a voice note without a link", msgType: "voice"));
        var (forwarded, retry) = await sobot.SendAsync(http, address, batch);
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        Assert.Null(retry);
        Assert.Equal(1, (await forwarded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("skipped").GetInt32());
        await chat.WaitForTextAsync("human", "[image] https://files.sobot.example/label.png");

        // Delivered again (a wrapped list this time, then the push): nothing new.
        Assert.Equal(HttpStatusCode.OK, (await sobot.SendAsync(http, address, new JsonObject { ["data"] = new JsonArray(FakeSobot.AgentMessage("partner-7f3a", "M2", "How can I help?")) })).First.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sobot.SendAsync(http, address, FakeSobot.AgentMessage("partner-7f3a", "M1", "Hi, Sam here."))).First.StatusCode);

        Assert.Equal([("Hi, Sam here.", "Sam"), ("How can I help?", "Sam"), ("[image] https://files.sobot.example/label.png", "Sam")], await HumanMessagesAsync(h, chat));
        var shown = chat.Ordered().Where(m => m.GetProperty("from").GetString() == "human").Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Equal(["Hi, Sam here.", "How can I help?", "[image] https://files.sobot.example/label.png"], shown);

        // A single push for a visitor we do not know is the receiver's 404 (and Sobot's one retry gets the same).
        var (unknown, unknownRetry) = await sobot.SendAsync(http, address, FakeSobot.AgentMessage("nobody", "M5", "hello?"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownRetry!.StatusCode);

        // The user keeps writing in the Sobot widget, which already has it: nothing is forwarded, and ending calls nothing.
        await chat.SendAsync("thanks");
        await chat.Connection.InvokeAsync("EndHuman");
        await chat.WaitForStateAsync("bot", "user-ended");
        await Task.Delay(300);
        Assert.Equal([FakeSobot.TransferPath], sobot.Calls.Select(c => c.Path));
        Assert.Equal(1, sobot.TokenCalls);
    }

    [Fact]
    public async Task Our_wait_and_session_timeouts_end_a_sobot_hand_off_and_call_the_configured_end()
    {
        await using var sobot = await FakeSobot.StartAsync();
        await using var h = await HandoffTestHost.StartAsync(Config(sobot, withEnd: true));
        await ConnectAsync(h, sobot, "so2", new { waitTimeoutSeconds = 1 });
        await using (var chat = await VisitorAsync(h, "so2", "partner-wait"))
        {
            await chat.Connection.InvokeAsync("RequestHuman");
            await chat.WaitForStateAsync("wait-timeout-prompt");
            await chat.WaitForStateAsync("bot", "wait-timeout");
        }

        var put = await ConnectAsync(h, sobot, "so3", new { sessionTimeoutSeconds = 1 });
        await using var talk = await VisitorAsync(h, "so3", "partner-session");
        await talk.Connection.InvokeAsync("RequestHuman");
        await talk.WaitForStateAsync("waiting-for-human");
        using var http = new HttpClient();
        await sobot.SendAsync(http, put.GetProperty("receivingAddress").GetString()!, FakeSobot.AgentMessage("partner-session", "S1", "Hello"));
        await talk.WaitForStateAsync("with-human");
        await talk.WaitForStateAsync("bot", "session-timeout");

        var until = DateTime.UtcNow.AddSeconds(10);
        while (sobot.AcceptedCallsTo(FakeSobot.EndPath).Count() < 2 && DateTime.UtcNow < until) await Task.Delay(50);
        var ends = sobot.AcceptedCallsTo(FakeSobot.EndPath).Select(b => (b!["partnerId"]!.ToString(), b["closeType"]!.ToString())).OrderBy(e => e.Item1).ToList();
        Assert.Equal([("partner-session", "TIMEOUT"), ("partner-wait", "TIMEOUT")], ends);
    }

    [Fact]
    public async Task A_missing_wrong_or_stale_X_Log_Sign_gets_401_a_malformed_body_400_and_neither_stores_anything()
    {
        await using var sobot = await FakeSobot.StartAsync();
        await using var h = await HandoffTestHost.StartAsync(Config(sobot));
        var address = (await ConnectAsync(h, sobot, "so4")).GetProperty("receivingAddress").GetString()!;
        await using var chat = await VisitorAsync(h, "so4", "partner-sig");
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("waiting-for-human");

        using var http = new HttpClient();
        var body = FakeSobot.AgentMessage("partner-sig", "X1", "forged").ToJsonString();
        async Task<HttpStatusCode> Send(Func<HttpRequestMessage> request) => (await WebhookDelivery.DeliverAsync(http, request)).First.StatusCode;
        Assert.Equal(HttpStatusCode.Unauthorized, await Send(FakeSobot.Prepare(address, body, null, null)));
        Assert.Equal(HttpStatusCode.Unauthorized, await Send(FakeSobot.Prepare(address, body, sobot.CompanyId, "wrong-key")));
        Assert.Equal(HttpStatusCode.Unauthorized, await Send(FakeSobot.Prepare(address, body, sobot.CompanyId, sobot.ForwardingKey, signOverride: new string('0', 32))));
        Assert.Equal(HttpStatusCode.Unauthorized, await Send(FakeSobot.Prepare(address, body, sobot.CompanyId, sobot.ForwardingKey, at: DateTimeOffset.UtcNow.AddMinutes(-6))));
        Assert.Equal(HttpStatusCode.Unauthorized, await Send(FakeSobot.Prepare(address, body, sobot.CompanyId, sobot.ForwardingKey, at: DateTimeOffset.UtcNow.AddMinutes(6))));
        Assert.Equal(HttpStatusCode.Unauthorized, await Send(FakeSobot.Prepare(address.Replace("/webhooks/sobot/", "/webhooks/sobot/x"), body, sobot.CompanyId, sobot.ForwardingKey)));
        Assert.Equal(HttpStatusCode.BadRequest, await Send(FakeSobot.Prepare(address, "{not json", sobot.CompanyId, sobot.ForwardingKey)));
        Assert.Equal(HttpStatusCode.BadRequest, await Send(FakeSobot.Prepare(address, "[{\"type\":202,\"content\":\"no ids\"}]", sobot.CompanyId, sobot.ForwardingKey)));
        Assert.Equal(HttpStatusCode.BadRequest, await Send(FakeSobot.Prepare(address, "[1,2]", sobot.CompanyId, sobot.ForwardingKey)));

        await Task.Delay(200);
        var view = await h.ConversationAsync(chat.ConversationId);
        Assert.Equal("waiting-for-human", view.GetProperty("state").GetString());
        Assert.Empty(await HumanMessagesAsync(h, chat));
    }

    [Fact]
    public async Task Several_hand_offs_and_two_agents_with_the_same_appId_share_one_token_until_it_nears_expiry_then_renew_it_once()
    {
        await using var sobot = await FakeSobot.StartAsync();
        sobot.ExpiresIn = "12"; // renewed a tenth of its life ahead: from 10.8 s on
        await using var h = await HandoffTestHost.StartAsync(Config(sobot));
        Assert.Equal("available", (await ConnectAsync(h, sobot, "so5")).GetProperty("status").GetString());
        Assert.Equal("available", (await ConnectAsync(h, sobot, "so6")).GetProperty("status").GetString());

        var chats = new List<ChatClient>();
        async Task HandOffAsync(string agentId, string partnerId)
        {
            var chat = await VisitorAsync(h, agentId, partnerId);
            lock (chats) chats.Add(chat);
            await chat.Connection.InvokeAsync("RequestHuman");
            await chat.WaitForStateAsync("waiting-for-human");
        }

        await Task.WhenAll(HandOffAsync("so5", "p1"), HandOffAsync("so5", "p2"), HandOffAsync("so6", "p3"));
        Assert.Equal(1, sobot.TokenCalls);

        // Past the renewal point (10.8 s after issue) but before the desk would refuse the token (12 s).
        var wait = sobot.IssuedAt.AddSeconds(11.2) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        await Task.WhenAll(HandOffAsync("so5", "p4"), HandOffAsync("so6", "p5"));
        Assert.Equal(2, sobot.TokenCalls);
        Assert.Equal(5, sobot.AcceptedCallsTo(FakeSobot.TransferPath).Count());
        Assert.All(sobot.Calls, c => Assert.True(c.Accepted));
        foreach (var chat in chats) await chat.DisposeAsync();
    }

    [Fact]
    public async Task A_token_the_desk_no_longer_accepts_is_renewed_once_and_the_transfer_retried()
    {
        await using var sobot = await FakeSobot.StartAsync();
        await using var h = await HandoffTestHost.StartAsync(Config(sobot));
        await ConnectAsync(h, sobot, "so7");
        Assert.Equal(1, sobot.TokenCalls);
        sobot.InvalidateTokens();

        await using var chat = await VisitorAsync(h, "so7", "partner-renew");
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("waiting-for-human");
        Assert.Equal(2, sobot.TokenCalls);
        Assert.Equal([false, true], sobot.Calls.Where(c => c.Path == FakeSobot.TransferPath).Select(c => c.Accepted));
    }

    [Fact]
    public async Task A_wrong_appKey_an_unreachable_desk_or_no_transfer_path_is_unavailable_with_a_reason()
    {
        await using var sobot = await FakeSobot.StartAsync();
        await using (var h = await HandoffTestHost.StartAsync(Config(sobot)))
        {
            var wrong = await ConnectAsync(h, sobot, "so8", appKey: "not-the-key-1234");
            Assert.Equal("unavailable", wrong.GetProperty("status").GetString());
            Assert.Contains("appid or sign is wrong", wrong.GetProperty("statusDetail").GetString());
            Assert.DoesNotContain("not-the-key-1234", wrong.GetProperty("statusDetail").GetString());

            var down = await ConnectAsync(h, sobot, "so9", baseUrl: $"http://127.0.0.1:{FreePorts.Next()}");
            Assert.Equal("unavailable", down.GetProperty("status").GetString());
            Assert.Contains("cannot be reached", down.GetProperty("statusDetail").GetString());

            await using var chat = await VisitorAsync(h, "so8", "partner-x");
            await chat.Connection.InvokeAsync("RequestHuman");
            await chat.WaitForStateAsync("bot", "helpdesk-unavailable");
        }

        await using var bare = await HandoffTestHost.StartAsync(new() { ["Handoff:HelpDesks:Sobot:BaseUrl"] = sobot.BaseUrl });
        var unset = await ConnectAsync(bare, sobot, "so10", signed: false);
        Assert.Equal("unavailable", unset.GetProperty("status").GetString());
        Assert.Contains("Handoff:HelpDesks:Sobot:TransferPath", unset.GetProperty("statusDetail").GetString());
    }

    [Fact]
    public async Task A_widget_conversation_is_refused_with_wrong_channel_when_the_desk_is_sobot()
    {
        await using var sobot = await FakeSobot.StartAsync();
        await using var h = await HandoffTestHost.StartAsync(Config(sobot));
        await ConnectAsync(h, sobot, "so11", signed: false);
        await using var chat = await VisitorAsync(h, "so11", "partner-w", channel: "widget");
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("bot", "wrong-channel");
        Assert.Empty(sobot.Calls);
    }
}
