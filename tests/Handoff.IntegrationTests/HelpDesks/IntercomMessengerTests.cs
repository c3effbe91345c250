using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Handoff.IntegrationTests.Conversations;
using Handoff.Testing;

namespace Handoff.IntegrationTests.HelpDesks;

/// <summary>Help-desk → help-desk mode with Intercom: the bot is the token's admin seat inside the Messenger.</summary>
public sealed class IntercomMessengerTests
{
    private const string Secret = "test_client_secret";

    private static async Task<(HandoffTestHost Host, string Address)> StartAsync(FakeIntercom intercom, string agentId, object handoff, string? teamId = "814")
    {
        var h = await HandoffTestHost.StartAsync(new() { ["Handoff:HelpDesks:Intercom:BaseUrl"] = intercom.BaseUrl });
        (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/handoff", handoff)).EnsureSuccessStatusCode();
        var settings = new Dictionary<string, string> { ["accessToken"] = intercom.Token, ["clientSecret"] = Secret };
        if (teamId is not null) settings["teamId"] = teamId;
        var connection = await (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/helpdesk", new { kind = "intercom", settings })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("available", connection.GetProperty("status").GetString());
        var address = connection.GetProperty("receivingAddress").GetString()!;
        intercom.Webhook = (address, Secret);
        return (h, address);
    }

    [Fact]
    public async Task The_bot_answers_in_intercom_hands_over_to_the_team_stays_silent_while_the_human_holds_it_and_answers_again_after()
    {
        await using var intercom = await FakeIntercom.StartAsync();
        var (h, address) = await StartAsync(intercom, "im1", new { mode = "helpdesk-to-helpdesk" });
        await using var _ = h;

        var (deskId, status) = await intercom.UserWritesAsync("hello");
        Assert.Equal(HttpStatusCode.OK, status);
        await Eventually.TrueAsync(() => intercom.BotRepliesIn(deskId).Any(), "the bot did not answer inside Intercom");
        Assert.Equal("Hello! How can I help you today?", intercom.BotRepliesIn(deskId).Single());
        await Eventually.TrueAsync(() => intercom.Sent.Any(s => s.Topic == "conversation.admin.replied"), "the fake sent no echo");

        // The same notification again (Intercom retries) and the bot's echo change nothing.
        Assert.Equal(HttpStatusCode.OK, (await intercom.UserWritesAsync("I need a human", deskId, partId: "p-1")).Status);
        Assert.Equal(HttpStatusCode.OK, (await intercom.UserWritesAsync("I need a human", deskId, partId: "p-1")).Status);
        await Eventually.TrueAsync(() => intercom.CallsTo("POST", $"/conversations/{deskId}/parts").Any(c => c.Body?["message_type"]?.ToString() == "assignment"), "no assignment");
        var assignment = intercom.CallsTo("POST", $"/conversations/{deskId}/parts").Single(c => c.Body?["message_type"]?.ToString() == "assignment").Body!;
        Assert.Equal("team", assignment["type"]!.ToString());
        Assert.Equal("814", assignment["assignee_id"]!.ToString());
        Assert.Equal(FakeIntercom.AdminId, assignment["admin_id"]!.ToString());
        await Eventually.TrueAsync(() => intercom.BotRepliesIn(deskId).Contains("Thanks. I've asked a person from our team to join; please stay here."), "the waiting text was not posted");

        var view = await h.OnlyConversationOfAsync("im1");
        Assert.Equal("intercom", view.GetProperty("channel").GetString());
        Assert.Equal("waiting-for-human", view.GetProperty("state").GetString());
        var conversationId = view.GetProperty("conversationId").GetString()!;

        // A human teammate answers: with-human; the bot stays silent for the user's next message.
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(FakeIntercom.Notification(address, "conversation.admin.replied", deskId, Secret, html: "<p>Hi, Sam here.</p>"))).StatusCode);
        var repliesBefore = intercom.BotRepliesIn(deskId).Count();
        Assert.Equal(HttpStatusCode.OK, (await intercom.UserWritesAsync("thanks Sam", deskId)).Status);
        view = await h.ConversationAsync(conversationId);
        Assert.Equal("with-human", view.GetProperty("state").GetString());
        await Task.Delay(300);
        Assert.Equal(repliesBefore, intercom.BotRepliesIn(deskId).Count());

        // A bad signature changes nothing.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(FakeIntercom.Notification(address, "conversation.admin.replied", deskId, "wrong", html: "<p>forged</p>"))).StatusCode);

        // The human closes; the next user message goes to the bot again.
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(FakeIntercom.Notification(address, "conversation.admin.closed", deskId, Secret, partType: "close"))).StatusCode);
        await Eventually.TrueAsync(() => intercom.BotRepliesIn(deskId).Contains("The conversation with our team has ended. I'm back to help."), "the end was not posted");
        Assert.Equal(HttpStatusCode.OK, (await intercom.UserWritesAsync("what are your prices?", deskId)).Status);
        await Eventually.TrueAsync(() => intercom.BotRepliesIn(deskId).Last().StartsWith("Our prices are on the pricing page"), "the bot did not answer after the hand-off");

        view = await h.ConversationAsync(conversationId);
        Assert.Equal("bot", view.GetProperty("state").GetString());
        Assert.Equal("human-ended", view.GetProperty("handoff").GetProperty("endReason").GetString());
        var messages = view.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("from").GetString(), m.GetProperty("text").GetString())).ToList();
        Assert.Single(messages, m => m == ("user", "I need a human"));
        Assert.Single(messages, m => m == ("human", "Hi, Sam here."));
        Assert.DoesNotContain(messages, m => m.Item2 == "forged");
        Assert.DoesNotContain(messages, m => m.Item1 == "human" && m.Item2!.StartsWith("Hello!")); // the echo of the bot's reply
        Assert.Equal(messages.Count, view.GetProperty("lastSeq").GetInt64());
        Assert.Equal(1, intercom.CallsTo("POST", $"/conversations/{deskId}/parts").Count(c => c.Body?["message_type"]?.ToString() == "assignment"));
    }

    [Fact]
    public async Task Off_hours_are_answered_inside_intercom_and_other_channels_are_refused_with_wrong_channel()
    {
        await using var intercom = await FakeIntercom.StartAsync();
        var never = new[] { new { type = "date", date = "2001-01-01", start = "09:00", end = "10:00" } };
        var (h, _) = await StartAsync(intercom, "im2", new { mode = "helpdesk-to-helpdesk", servicePeriods = never, offHoursReply = "We are closed; write to us by e-mail." }, teamId: null);
        await using var __ = h;

        var (deskId, _) = await intercom.UserWritesAsync("I want a human");
        await Eventually.TrueAsync(() => intercom.BotRepliesIn(deskId).Contains("We are closed; write to us by e-mail."), "the off-hours reply was not posted as the bot");
        Assert.DoesNotContain(intercom.Calls, c => c.Path.EndsWith("/run_assignment_rules") || c.Body?["message_type"]?.ToString() == "assignment");

        // A widget conversation of a help-desk → help-desk agent is refused.
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, "im2", email: "a@example.com");
        await chat.SendAsync("I want a human");
        await chat.WaitForStateAsync("bot", "wrong-channel");

        // And a channel → help-desk agent refuses a request from inside Intercom's messenger.
        (await h.Admin.PutAsJsonAsync("/api/agents/im3/handoff", new { mode = "channel-to-helpdesk" })).EnsureSuccessStatusCode();
        (await h.Admin.PutAsJsonAsync("/api/agents/im3/helpdesk", new { kind = "intercom", settings = new { accessToken = intercom.Token } })).EnsureSuccessStatusCode();
        await using var inIntercom = await ChatClient.StartAsync(h.BaseAddress, "im3", email: "a@example.com", channel: "intercom");
        await inIntercom.SendAsync("I want a human");
        await inIntercom.WaitForStateAsync("bot", "wrong-channel");
    }

    [Fact]
    public async Task Without_a_team_the_workspaces_assignment_rules_take_it_and_the_wait_timeout_asks_inside_intercom()
    {
        await using var intercom = await FakeIntercom.StartAsync();
        var (h, _) = await StartAsync(intercom, "im4", new { mode = "helpdesk-to-helpdesk", waitTimeoutSeconds = 1 }, teamId: null);
        await using var __ = h;

        var (deskId, _) = await intercom.UserWritesAsync("talk to someone please");
        await Eventually.TrueAsync(() => intercom.CallsTo("POST", $"/conversations/{deskId}/run_assignment_rules").Any(), "the assignment rules were not run");
        await Eventually.TrueAsync(() => intercom.BotRepliesIn(deskId).Contains("Nobody has answered yet. Do you want to keep waiting, or end the request?"), "the wait-timeout prompt was not posted");
        Assert.Equal(HttpStatusCode.OK, (await intercom.UserWritesAsync("keep waiting", deskId)).Status);
        var view = await h.OnlyConversationOfAsync("im4");
        Assert.Equal("waiting-for-human", view.GetProperty("state").GetString());
        await Eventually.TrueAsync(() => intercom.BotRepliesIn(deskId).Count(t => t.StartsWith("Nobody has answered yet")) == 2, "the prompt did not come again");
        Assert.Equal(HttpStatusCode.OK, (await intercom.UserWritesAsync("end it", deskId)).Status);
        await Eventually.TrueAsync(() => intercom.CallsTo("POST", $"/conversations/{deskId}/parts").Any(c => c.Body?["message_type"]?.ToString() == "close"), "the conversation was not closed as the bot");
        view = await h.ConversationAsync(view.GetProperty("conversationId").GetString()!);
        Assert.Equal("user-ended", view.GetProperty("handoff").GetProperty("endReason").GetString());
        // The close is echoed by Intercom as the bot admin's: it does not count as a human's.
        await Eventually.TrueAsync(() => intercom.Sent.Any(s => s.Topic == "conversation.admin.closed"), "no close echo");
        Assert.All(intercom.Sent, s => Assert.Equal(200, s.Status));
    }

    [Fact]
    public async Task A_lead_without_an_e_mail_is_asked_for_it_inside_intercom_before_the_hand_over()
    {
        await using var intercom = await FakeIntercom.StartAsync();
        var (h, _) = await StartAsync(intercom, "im5", new { mode = "helpdesk-to-helpdesk" });
        await using var __ = h;

        var (deskId, _) = await intercom.UserWritesAsync("I want a human", email: null);
        await Eventually.TrueAsync(() => intercom.BotRepliesIn(deskId).Contains("Before I connect you with a person, what is your e-mail address?"), "the e-mail was not asked");
        Assert.DoesNotContain(intercom.Calls, c => c.Body?["message_type"]?.ToString() == "assignment");
        Assert.Equal(HttpStatusCode.OK, (await intercom.UserWritesAsync("not an address", deskId, email: null)).Status);
        await Eventually.TrueAsync(() => intercom.BotRepliesIn(deskId).Any(t => t.StartsWith("That doesn't look like an e-mail address")), "a bad address was not refused");
        Assert.Equal(HttpStatusCode.OK, (await intercom.UserWritesAsync("lead@example.com", deskId, email: null)).Status);
        await Eventually.TrueAsync(() => intercom.CallsTo("POST", $"/conversations/{deskId}/parts").Any(c => c.Body?["message_type"]?.ToString() == "assignment"), "no hand-over after the e-mail");
        var view = await h.OnlyConversationOfAsync("im5");
        Assert.Equal("lead@example.com", view.GetProperty("email").GetString());
        Assert.Equal("waiting-for-human", view.GetProperty("state").GetString());
    }
}
