using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.IntegrationTests.Conversations;
using Handoff.Testing;

namespace Handoff.IntegrationTests.HelpDesks;

/// <summary>Help-desk → help-desk mode with LiveChat: the bot is a LiveChat bot agent, answering through the Agent Chat API.</summary>
public sealed class LiveChatMessengerTests
{
    private const string SecretKey = "livechat-webhook-secret";

    private static async Task<(HandoffTestHost Host, string Address, JsonElement Connection)> StartAsync(FakeLiveChat livechat, string agentId, object handoff, bool withAgentToken = true)
    {
        var h = await HandoffTestHost.StartAsync(new()
        {
            ["Handoff:HelpDesks:LiveChat:ApiBaseUrl"] = livechat.BaseUrl,
            ["Handoff:HelpDesks:LiveChat:AccountsBaseUrl"] = livechat.BaseUrl,
        });
        (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/handoff", handoff)).EnsureSuccessStatusCode();
        var settings = new Dictionary<string, string>
        {
            ["organizationId"] = livechat.OrganizationId, ["clientId"] = livechat.ClientId, ["webhookSecretKey"] = SecretKey, ["groupId"] = "2",
        };
        if (withAgentToken) settings["agentAccessToken"] = livechat.AgentToken;
        var put = await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/helpdesk", new { kind = "livechat", settings });
        var raw = await put.Content.ReadAsStringAsync();
        Assert.DoesNotContain(SecretKey, raw);
        Assert.DoesNotContain(livechat.AgentToken, raw);
        var connection = JsonDocument.Parse(raw).RootElement;
        var address = connection.GetProperty("receivingAddress").GetString()!;
        // The humans' messages after the transfer come through the app's Chat Webhooks building block, as in channel → help-desk mode.
        livechat.LicenseWebhook = (address, SecretKey);
        return (h, address, connection);
    }

    [Fact]
    public async Task The_bot_answers_in_livechat_transfers_to_the_group_stays_silent_while_the_human_holds_it_and_answers_again_after()
    {
        await using var livechat = await FakeLiveChat.StartAsync();
        var (h, _, connection) = await StartAsync(livechat, "lm1", new { mode = "helpdesk-to-helpdesk" });
        await using var _ = h;
        Assert.True(connection.GetProperty("status").GetString() == "available", connection.GetProperty("statusDetail").GetString());

        // Verifying in this mode made our bot agent (owned by the app) and its bot webhooks at the receiving address.
        var (botId, bot) = Assert.Single(livechat.Bots);
        Assert.Equal(("Handoff bot", livechat.ClientId), bot);
        Assert.Equal(["chat_deactivated", "incoming_chat", "incoming_event"], livechat.RegisteredWebhooks.Values.Select(w => w.Action).Order());
        Assert.All(livechat.RegisteredWebhooks.Values, w => Assert.Equal((connection.GetProperty("receivingAddress").GetString(), SecretKey, "bot"), (w.Url, w.Secret, w.Type)));

        var (chatId, status) = await livechat.CustomerWritesAsync("hello");
        Assert.Equal(HttpStatusCode.OK, status);
        await Eventually.TrueAsync(() => livechat.BotRepliesIn(chatId).Any(), "the bot did not answer inside LiveChat");
        Assert.Equal("Hello! How can I help you today?", livechat.BotRepliesIn(chatId).Single());
        Assert.All(livechat.AgentCallsTo("send_event"), c => Assert.Equal(botId, c.AuthorId));
        await Eventually.TrueAsync(() => livechat.Sent.Count(s => s.Action == "incoming_event") >= 1, "the fake sent no echo");

        // The same customer event again (LiveChat retries) and the bot's echo change nothing.
        Assert.Equal(HttpStatusCode.OK, (await livechat.CustomerWritesAsync("I need a human", chatId, eventId: "E-1")).Status);
        Assert.Equal(HttpStatusCode.OK, (await livechat.CustomerWritesAsync("I need a human", chatId, eventId: "E-1")).Status);
        await Eventually.TrueAsync(() => livechat.AgentCallsTo("transfer_chat").Any(), "the chat was not transferred");
        var transfer = livechat.AgentCallsTo("transfer_chat").Single();
        Assert.Equal(botId, transfer.AuthorId);
        Assert.Equal(chatId, transfer.Body!["id"]!.ToString());
        Assert.Equal("group", transfer.Body["target"]!["type"]!.ToString());
        Assert.Equal(2, transfer.Body["target"]!["ids"]![0]!.GetValue<int>());
        Assert.True(transfer.Body["ignore_requester_presence"]!.GetValue<bool>());
        await Eventually.TrueAsync(() => livechat.BotRepliesIn(chatId).Contains("Thanks. I've asked a person from our team to join; please stay here."), "the waiting text was not posted");

        var view = await h.OnlyConversationOfAsync("lm1");
        Assert.Equal("livechat", view.GetProperty("channel").GetString());
        Assert.Equal("waiting-for-human", view.GetProperty("state").GetString());
        var conversationId = view.GetProperty("conversationId").GetString()!;

        // A human agent answers: with-human; the bot stays silent for the customer's next message.
        Assert.Equal(HttpStatusCode.OK, await livechat.HumanWritesAsync(chatId, "H-1", "Hi, Sam here."));
        view = await h.ConversationAsync(conversationId);
        Assert.Equal("with-human", view.GetProperty("state").GetString());
        var repliesBefore = livechat.BotRepliesIn(chatId).Count();
        Assert.Equal(HttpStatusCode.OK, (await livechat.CustomerWritesAsync("thanks Sam", chatId)).Status);
        await Task.Delay(300);
        Assert.Equal(repliesBefore, livechat.BotRepliesIn(chatId).Count());
        Assert.Equal("with-human", (await h.ConversationAsync(conversationId)).GetProperty("state").GetString());

        // The human ends the chat; the customer's next message (a new thread, incoming_chat again) goes to the bot.
        Assert.Equal(HttpStatusCode.OK, await livechat.HumanEndsAsync(chatId));
        await Eventually.TrueAsync(() => livechat.BotRepliesIn(chatId).Contains("The conversation with our team has ended. I'm back to help."), "the end was not posted");
        Assert.Equal(HttpStatusCode.OK, (await livechat.CustomerWritesAsync("what are your prices?", chatId)).Status);
        await Eventually.TrueAsync(() => livechat.BotRepliesIn(chatId).Last().StartsWith("Our prices are on the pricing page"), "the bot did not answer after the hand-off");

        view = await h.ConversationAsync(conversationId);
        Assert.Equal("bot", view.GetProperty("state").GetString());
        Assert.Equal("human-ended", view.GetProperty("handoff").GetProperty("endReason").GetString());
        var messages = view.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("from").GetString(), m.GetProperty("text").GetString())).ToList();
        Assert.Single(messages, m => m == ("user", "I need a human"));
        Assert.Single(messages, m => m == ("user", "thanks Sam"));
        Assert.Single(messages, m => m == ("human", "Hi, Sam here."));
        Assert.DoesNotContain(messages, m => m.Item1 == "human" && m.Item2 != "Hi, Sam here."); // no echo of the bot's words
        Assert.Equal(messages.Count, view.GetProperty("lastSeq").GetInt64());
        Assert.Single(livechat.AgentCallsTo("transfer_chat"));
        Assert.All(livechat.Sent, s => Assert.Equal(200, s.Status));
        Assert.Single((await h.Admin.GetFromJsonAsync<JsonElement>("/api/agents/lm1/conversations")).EnumerateArray());
    }

    [Fact]
    public async Task Retried_echoed_and_forged_webhooks_change_nothing_and_verifying_again_registers_nothing_twice()
    {
        await using var livechat = await FakeLiveChat.StartAsync();
        var (h, address, _) = await StartAsync(livechat, "lm2", new { mode = "helpdesk-to-helpdesk" });
        await using var _ = h;
        var botId = Assert.Single(livechat.Bots).Key;

        var (chatId, _) = await livechat.CustomerWritesAsync("hello", eventId: "F-1");
        await Eventually.TrueAsync(() => livechat.BotRepliesIn(chatId).Any(), "the bot did not answer");
        // The same event as incoming_event (LiveChat sent both, or retried): the same dedupe key.
        Assert.Equal(HttpStatusCode.OK, (await livechat.CustomerWritesAsync("hello", chatId, eventId: "F-1")).Status);

        using var http = new HttpClient();
        var customer = new JsonObject { ["chat_id"] = chatId, ["thread_id"] = "T1", ["event"] = new JsonObject { ["id"] = "F-9", ["type"] = "message", ["text"] = "forged", ["author_id"] = Guid.NewGuid().ToString(), ["visibility"] = "all" } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(livechat.Webhook(address, "incoming_event", customer, "wrong"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(livechat.Webhook(address, "incoming_chat", new JsonObject { ["chat"] = new JsonObject { ["id"] = "PJ-forged" } }, null))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(livechat.Webhook(address, "incoming_event", FakeLiveChat.AgentMessage(chatId, "F-10", "echo of ours", author: botId), SecretKey))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(livechat.Webhook(address, "incoming_event", FakeLiveChat.AgentMessage(chatId, "F-11", "a supervisor's note", visibility: "agents"), SecretKey))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(livechat.Webhook(address, "incoming_chat", new JsonObject { ["chat"] = new JsonObject() }, SecretKey))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync(address, new StringContent("{nope", System.Text.Encoding.UTF8, "application/json"))).StatusCode);

        // Verifying again finds the same bot and webhooks.
        var verified = await (await h.Admin.PostAsync("/api/agents/lm2/helpdesk/verify", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("available", verified.GetProperty("status").GetString());
        Assert.Contains("already registered", verified.GetProperty("statusDetail").GetString());
        Assert.Single(livechat.Bots);
        Assert.Single(livechat.AgentCallsTo("create_bot"));
        Assert.Equal(3, livechat.AgentCallsTo("register_webhook").Count());

        // The chat is still one conversation of ours when it is handed over (the live list shows it from then on).
        Assert.Equal(HttpStatusCode.OK, (await livechat.CustomerWritesAsync("I need a human", chatId)).Status);
        await Eventually.TrueAsync(() => livechat.AgentCallsTo("transfer_chat").Any(), "the chat was not transferred");
        var view = await h.OnlyConversationOfAsync("lm2");
        var texts = view.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Single(texts, t => t == "hello");
        Assert.DoesNotContain("forged", texts);
        Assert.DoesNotContain("echo of ours", texts);
        Assert.DoesNotContain("a supervisor's note", texts);
        Assert.Equal("Hello! How can I help you today?", livechat.BotRepliesIn(chatId).First());
        Assert.Equal(1, livechat.BotRepliesIn(chatId).Count(t => t.StartsWith("Hello!")));
    }

    [Fact]
    public async Task Off_hours_are_answered_inside_livechat_and_a_widget_conversation_is_refused_with_wrong_channel()
    {
        await using var livechat = await FakeLiveChat.StartAsync();
        var never = new[] { new { type = "date", date = "2001-01-01", start = "09:00", end = "10:00" } };
        var (h, _, _) = await StartAsync(livechat, "lm3", new { mode = "helpdesk-to-helpdesk", servicePeriods = never, offHoursReply = "We are closed; write to us by e-mail." });
        await using var __ = h;

        var (chatId, _) = await livechat.CustomerWritesAsync("I want a human");
        await Eventually.TrueAsync(() => livechat.BotRepliesIn(chatId).Contains("We are closed; write to us by e-mail."), "the off-hours reply was not posted as the bot");
        Assert.Empty(livechat.AgentCallsTo("transfer_chat"));

        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "lm3", email: "a@example.com");
        await chat.SendAsync("I want a human");
        await chat.WaitForStateAsync("bot", "wrong-channel");
        Assert.Empty(livechat.AgentCallsTo("transfer_chat"));
    }

    [Fact]
    public async Task The_wait_timeout_asks_inside_livechat_and_ending_deactivates_the_chat_as_the_bot()
    {
        await using var livechat = await FakeLiveChat.StartAsync();
        var (h, _, _) = await StartAsync(livechat, "lm4", new { mode = "helpdesk-to-helpdesk", waitTimeoutSeconds = 1 });
        await using var __ = h;
        var botId = Assert.Single(livechat.Bots).Key;

        var (chatId, _) = await livechat.CustomerWritesAsync("talk to someone please");
        await Eventually.TrueAsync(() => livechat.AgentCallsTo("transfer_chat").Any(), "the chat was not transferred");
        await Eventually.TrueAsync(() => livechat.BotRepliesIn(chatId).Contains("Nobody has answered yet. Do you want to keep waiting, or end the request?"), "the wait-timeout prompt was not posted");
        Assert.Equal(HttpStatusCode.OK, (await livechat.CustomerWritesAsync("end it", chatId)).Status);
        await Eventually.TrueAsync(() => livechat.AgentCallsTo("deactivate_chat").Any(), "the chat was not deactivated as the bot");
        var close = livechat.AgentCallsTo("deactivate_chat").Single();
        Assert.Equal(botId, close.AuthorId);
        Assert.Equal(chatId, close.Body!["id"]!.ToString());
        var view = await h.OnlyConversationOfAsync("lm4");
        Assert.Equal("user-ended", view.GetProperty("handoff").GetProperty("endReason").GetString());
        // The deactivation comes back as chat_deactivated by our bot: not a human's end.
        await Eventually.TrueAsync(() => livechat.Sent.Any(s => s.Action == "chat_deactivated"), "no close echo");
        Assert.All(livechat.Sent, s => Assert.Equal(200, s.Status));
    }

    [Fact]
    public async Task Without_an_agent_access_token_the_mode_is_unavailable_and_says_why()
    {
        await using var livechat = await FakeLiveChat.StartAsync();
        var (h, _, connection) = await StartAsync(livechat, "lm5", new { mode = "helpdesk-to-helpdesk" }, withAgentToken: false);
        await using var __ = h;
        Assert.Equal("unavailable", connection.GetProperty("status").GetString());
        Assert.Contains("agentAccessToken", connection.GetProperty("statusDetail").GetString());
        Assert.Empty(livechat.AgentCalls);

        // The same connection serves channel → help-desk mode without one.
        (await h.Admin.PutAsJsonAsync("/api/agents/lm5/handoff", new { mode = "channel-to-helpdesk" })).EnsureSuccessStatusCode();
        var verified = await (await h.Admin.PostAsync("/api/agents/lm5/helpdesk/verify", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("available", verified.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_channel_to_helpdesk_agent_refuses_a_request_from_inside_livechat_with_wrong_channel()
    {
        await using var livechat = await FakeLiveChat.StartAsync();
        var (h, _, _) = await StartAsync(livechat, "lm9", new { mode = "channel-to-helpdesk" }, withAgentToken: false);
        await using var __ = h;
        await using var inLiveChat = await ChatClient.StartAsync(h.BaseAddress, "lm9", email: "a@example.com", channel: "livechat");
        await inLiveChat.SendAsync("I want a human");
        await inLiveChat.WaitForStateAsync("bot", "wrong-channel");
        Assert.DoesNotContain(livechat.Calls, c => c.Method == "start_chat");
        Assert.DoesNotContain(livechat.AgentCalls, c => c.Method == "transfer_chat");
    }

    [Fact]
    public async Task Switching_the_mode_on_sets_up_the_livechat_bot_without_another_verify()
    {
        await using var livechat = await FakeLiveChat.StartAsync();
        var (h, _, connection) = await StartAsync(livechat, "lm8", new { mode = "channel-to-helpdesk" });
        await using var __ = h;
        Assert.DoesNotContain(livechat.AgentCalls, c => c.Method is "create_bot" or "register_webhook");
        var settings = await (await h.Admin.PutAsJsonAsync("/api/agents/lm8/handoff", new { mode = "helpdesk-to-helpdesk" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("available", settings.GetProperty("helpDeskStatus").GetString());
        Assert.Contains(livechat.AgentCalls, c => c.Method == "create_bot");
        Assert.Contains(livechat.AgentCalls, c => c.Method == "register_webhook");
    }
}
