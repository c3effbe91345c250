using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.IntegrationTests.Conversations;
using Handoff.Testing;

namespace Handoff.IntegrationTests.HelpDesks;

/// <summary>Help-desk → help-desk mode with Livedesk: the bot is the API channel's agent bot, the conversation stays in LiveDesk.</summary>
public sealed class LivedeskMessengerTests
{
    private const string Secret = "ld-webhook-secret";

    private static async Task<(HandoffTestHost Host, string Address)> StartAsync(FakeLivedesk livedesk, string agentId, object handoff, Dictionary<string, string?>? config = null)
    {
        var h = await HandoffTestHost.StartAsync(config);
        (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/handoff", handoff)).EnsureSuccessStatusCode();
        var connection = await (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/helpdesk", new
        {
            kind = "livedesk", settings = new { apiKey = livedesk.ApiKey, apiSecret = livedesk.ApiSecret, baseUrl = livedesk.BaseUrl, inboxId = "407", webhookSecret = Secret },
        })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("available", connection.GetProperty("status").GetString());
        var address = connection.GetProperty("receivingAddress").GetString()!;
        livedesk.AgentBotInbox = true;
        livedesk.Hook = (address, Secret);
        return (h, address);
    }

    private static JsonObject Resolved(string deskId) =>
        new() { ["event"] = "conversation_status_changed", ["id"] = long.Parse(deskId), ["status"] = "resolved", ["inbox_id"] = FakeLivedesk.InboxId };

    [Fact]
    public async Task The_bot_answers_in_livedesk_hands_over_by_toggling_to_open_stays_silent_while_the_human_holds_it_and_answers_again_after_the_human_resolves()
    {
        await using var livedesk = await FakeLivedesk.StartAsync();
        var (h, address) = await StartAsync(livedesk, "lm1", new { mode = "helpdesk-to-helpdesk" });
        await using var _ = h;
        using var http = new HttpClient();
        async Task<HttpStatusCode> Send(JsonObject payload, string secret = Secret) => (await http.SendAsync(FakeLivedesk.Webhook(address, payload, secret))).StatusCode;

        // A new conversation brings the first message twice (conversation_created, then message_created): taken once.
        var (deskId, status) = await livedesk.ContactWritesAsync("hello");
        Assert.Equal(HttpStatusCode.OK, status);
        await Eventually.TrueAsync(() => livedesk.BotRepliesIn(deskId).Any(), "the bot did not answer inside LiveDesk");
        Assert.Equal("Hello! How can I help you today?", livedesk.BotRepliesIn(deskId).Single());
        var post = livedesk.CallsTo($"/conversations/{deskId}/messages").Single()!;
        Assert.False(post["private"]!.GetValue<bool>());
        await Eventually.TrueAsync(() => livedesk.Sent.Any(s => s.Event == "message_created"), "the fake sent no echo");

        // The same message again (a retried webhook) and the bot's echoes change nothing.
        Assert.Equal(HttpStatusCode.OK, (await livedesk.ContactWritesAsync("I need a human", deskId, messageId: 5001)).Status);
        Assert.Equal(HttpStatusCode.OK, (await livedesk.ContactWritesAsync("I need a human", deskId, messageId: 5001)).Status);
        await Eventually.TrueAsync(() => livedesk.StatusCallsIn(deskId).Contains("open"), "the conversation was not toggled to open");
        await Eventually.TrueAsync(() => livedesk.BotRepliesIn(deskId).Contains("Thanks. I've asked a person from our team to join; please stay here."), "the waiting text was not posted");
        Assert.Equal("open", livedesk.Statuses[deskId]);

        var view = await h.OnlyConversationOfAsync("lm1");
        Assert.Equal("livedesk", view.GetProperty("channel").GetString());
        Assert.Equal("waiting-for-human", view.GetProperty("state").GetString());
        var conversationId = view.GetProperty("conversationId").GetString()!;

        // A human agent answers: with-human; the bot stays silent for the contact's next message.
        Assert.Equal(HttpStatusCode.OK, await Send(FakeLivedesk.AgentMessage(deskId, 6001, "Hi, Sam here.")));
        Assert.Equal(HttpStatusCode.OK, await Send(FakeLivedesk.AgentMessage(deskId, 6001, "Hi, Sam here.")));
        var repliesBefore = livedesk.BotRepliesIn(deskId).Count();
        Assert.Equal(HttpStatusCode.OK, (await livedesk.ContactWritesAsync("thanks Sam", deskId)).Status);
        view = await h.ConversationAsync(conversationId);
        Assert.Equal("with-human", view.GetProperty("state").GetString());
        await Task.Delay(300);
        Assert.Equal(repliesBefore, livedesk.BotRepliesIn(deskId).Count());

        // Our posts are known by either sign alone: an agent_bot sender, or our marker under a user sender.
        Assert.Equal(HttpStatusCode.OK, await Send(FakeLivedesk.AgentMessage(deskId, 6003, "echo by sender", senderType: "agent_bot")));
        var marked = FakeLivedesk.AgentMessage(deskId, 6004, "echo by marker");
        marked["content_attributes"] = new JsonObject { ["handoff_bot"] = true };
        Assert.Equal(HttpStatusCode.OK, await Send(marked));

        // A bad signature changes nothing.
        Assert.Equal(HttpStatusCode.Unauthorized, await Send(FakeLivedesk.AgentMessage(deskId, 6002, "forged"), secret: "wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Send(Resolved(deskId), secret: "wrong"));

        // The human resolves; the contact's next message goes to the bot again.
        Assert.Equal(HttpStatusCode.OK, await Send(Resolved(deskId)));
        await Eventually.TrueAsync(() => livedesk.BotRepliesIn(deskId).Contains("The conversation with our team has ended. I'm back to help."), "the end was not posted");
        Assert.Equal(HttpStatusCode.OK, (await livedesk.ContactWritesAsync("what are your prices?", deskId)).Status);
        await Eventually.TrueAsync(() => livedesk.BotRepliesIn(deskId).Last().StartsWith("Our prices are on the pricing page"), "the bot did not answer after the hand-off");

        view = await h.ConversationAsync(conversationId);
        Assert.Equal("bot", view.GetProperty("state").GetString());
        Assert.Equal("human-ended", view.GetProperty("handoff").GetProperty("endReason").GetString());
        var messages = view.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("from").GetString(), m.GetProperty("text").GetString())).ToList();
        Assert.Single(messages, m => m == ("user", "hello"));
        Assert.Single(messages, m => m == ("user", "I need a human"));
        Assert.Single(messages, m => m == ("human", "Hi, Sam here."));
        Assert.DoesNotContain(messages, m => m.Item2 is "forged" or "echo by sender" or "echo by marker");
        Assert.DoesNotContain(messages, m => m.Item1 == "human" && m.Item2 != "Hi, Sam here."); // no echo of the bot's posts
        Assert.Equal(messages.Count, view.GetProperty("lastSeq").GetInt64());
        Assert.Equal(["open"], livedesk.StatusCallsIn(deskId));
        await Eventually.TrueAsync(() => livedesk.Sent.Count(s => s.Event == "message_created") == livedesk.BotRepliesIn(deskId).Count(), "not every post was echoed");
        Assert.All(livedesk.Sent, s => Assert.Equal(200, s.Status));
    }

    [Fact]
    public async Task Off_hours_are_answered_inside_livedesk_forged_messages_make_nothing_and_other_channels_are_refused_with_wrong_channel()
    {
        await using var livedesk = await FakeLivedesk.StartAsync();
        var never = new[] { new { type = "date", date = "2001-01-01", start = "09:00", end = "10:00" } };
        var (h, address) = await StartAsync(livedesk, "lm2", new { mode = "helpdesk-to-helpdesk", servicePeriods = never, offHoursReply = "We are closed; write to us by e-mail." });
        await using var __ = h;

        // A contact's message with a bad X-Chatwoot-Signature makes no conversation.
        livedesk.Hook = (address, "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await livedesk.ContactWritesAsync("forged hello")).Status);
        Assert.Equal(0, (await h.Admin.GetFromJsonAsync<JsonElement>("/api/agents/lm2/conversations")).GetArrayLength());
        livedesk.Hook = (address, Secret);

        var (deskId, _) = await livedesk.ContactWritesAsync("I want a human");
        await Eventually.TrueAsync(() => livedesk.BotRepliesIn(deskId).Contains("We are closed; write to us by e-mail."), "the off-hours reply was not posted as the bot");
        Assert.Empty(livedesk.StatusCallsIn(deskId));
        Assert.Equal("pending", livedesk.Statuses[deskId]);
        Assert.Equal("off-hours", (await h.OnlyConversationOfAsync("lm2")).GetProperty("handoff").GetProperty("endReason").GetString());

        // A widget conversation of a help-desk → help-desk agent is refused.
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "lm2", email: "a@example.com");
        await chat.SendAsync("I want a human");
        await chat.WaitForStateAsync("bot", "wrong-channel");

        // And a channel → help-desk agent ignores the contacts' own messages and refuses a request from inside LiveDesk.
        (await h.Admin.PutAsJsonAsync("/api/agents/lm3/handoff", new { mode = "channel-to-helpdesk" })).EnsureSuccessStatusCode();
        var put = await (await h.Admin.PutAsJsonAsync("/api/agents/lm3/helpdesk", new
        {
            kind = "livedesk", settings = new { apiKey = livedesk.ApiKey, apiSecret = livedesk.ApiSecret, baseUrl = livedesk.BaseUrl, inboxId = "407" },
        })).Content.ReadFromJsonAsync<JsonElement>();
        livedesk.Hook = (put.GetProperty("receivingAddress").GetString()!, null);
        var (otherDesk, status) = await livedesk.ContactWritesAsync("hello from the API channel");
        Assert.Equal(HttpStatusCode.OK, status);
        await Task.Delay(300);
        Assert.Empty(livedesk.BotRepliesIn(otherDesk));
        Assert.Equal(0, (await h.Admin.GetFromJsonAsync<JsonElement>("/api/agents/lm3/conversations")).GetArrayLength());
        await using var inLivedesk = await ChatClient.StartAsync(h.BaseAddress, "lm3", email: "a@example.com", channel: "livedesk");
        await inLivedesk.SendAsync("I want a human");
        await inLivedesk.WaitForStateAsync("bot", "wrong-channel");
    }

    [Fact]
    public async Task The_wait_timeout_asks_inside_livedesk_and_ending_it_resolves_the_conversation_as_the_bot()
    {
        await using var livedesk = await FakeLivedesk.StartAsync();
        var (h, _) = await StartAsync(livedesk, "lm4", new { mode = "helpdesk-to-helpdesk", waitTimeoutSeconds = 1 });
        await using var __ = h;

        var (deskId, _) = await livedesk.ContactWritesAsync("talk to someone please");
        await Eventually.TrueAsync(() => livedesk.StatusCallsIn(deskId).Contains("open"), "the conversation was not handed over");
        await Eventually.TrueAsync(() => livedesk.BotRepliesIn(deskId).Contains("Nobody has answered yet. Do you want to keep waiting, or end the request?"), "the wait-timeout prompt was not posted");
        Assert.Equal(HttpStatusCode.OK, (await livedesk.ContactWritesAsync("keep waiting", deskId)).Status);
        var view = await h.OnlyConversationOfAsync("lm4");
        Assert.Equal("waiting-for-human", view.GetProperty("state").GetString());
        await Eventually.TrueAsync(() => livedesk.BotRepliesIn(deskId).Count(t => t.StartsWith("Nobody has answered yet")) == 2, "the prompt did not come again");
        Assert.Equal(HttpStatusCode.OK, (await livedesk.ContactWritesAsync("end it", deskId)).Status);
        await Eventually.TrueAsync(() => livedesk.StatusCallsIn(deskId).Contains("resolved"), "the conversation was not resolved as the bot");
        Assert.Equal(["open", "resolved"], livedesk.StatusCallsIn(deskId));

        // The bot's prompts came back as webhooks while the hand-off waited: none counted as a human's first reply.
        await Eventually.TrueAsync(() => livedesk.Sent.Any(s => s.Event == "conversation_status_changed" && livedesk.Statuses[deskId] == "resolved"), "no resolve echo");
        await Task.Delay(200);
        view = await h.ConversationAsync(view.GetProperty("conversationId").GetString()!);
        Assert.Equal("user-ended", view.GetProperty("handoff").GetProperty("endReason").GetString());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("handoff").GetProperty("firstHumanReplyAt").ValueKind);
        Assert.DoesNotContain(view.GetProperty("messages").EnumerateArray(), m => m.GetProperty("from").GetString() == "human");
        Assert.All(livedesk.Sent.Where(s => s.Event == "message_created"), s => Assert.Equal(200, s.Status));
    }

    [Fact]
    public async Task The_session_timeout_resolves_the_livedesk_conversation_as_the_bot_after_the_humans_last_word()
    {
        await using var livedesk = await FakeLivedesk.StartAsync();
        var (h, address) = await StartAsync(livedesk, "lm5", new { mode = "helpdesk-to-helpdesk", sessionTimeoutSeconds = 1 });
        await using var __ = h;

        var (deskId, _) = await livedesk.ContactWritesAsync("I need a human");
        await Eventually.TrueAsync(() => livedesk.StatusCallsIn(deskId).Contains("open"), "the conversation was not handed over");
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(FakeLivedesk.Webhook(address, FakeLivedesk.AgentMessage(deskId, 7001, "Sam here, one moment."), Secret))).StatusCode);
        await Eventually.TrueAsync(() => livedesk.StatusCallsIn(deskId).Contains("resolved"), "the session timeout did not resolve the conversation");
        var view = await h.OnlyConversationOfAsync("lm5");
        Assert.Equal("session-timeout", view.GetProperty("handoff").GetProperty("endReason").GetString());
        Assert.Equal("resolved", livedesk.Statuses[deskId]);
    }

    [Fact]
    public async Task With_a_team_configured_the_hand_over_also_assigns_the_livedesk_conversation_to_it()
    {
        await using var livedesk = await FakeLivedesk.StartAsync();
        var (h, _) = await StartAsync(livedesk, "lm9", new { mode = "helpdesk-to-helpdesk" }, new() { ["Handoff:HelpDesks:Livedesk:HandOverTeamId"] = "3" });
        await using var __ = h;
        var (deskId, _) = await livedesk.ContactWritesAsync("I want a human");
        await Eventually.TrueAsync(() => livedesk.CallsTo($"/conversations/{deskId}/assignments").Any(), "the conversation was not assigned");
        Assert.Equal(3, livedesk.CallsTo($"/conversations/{deskId}/assignments").Single()!["team_id"]!.GetValue<int>());
        Assert.Equal("open", livedesk.StatusCallsIn(deskId).First());
    }
}
