using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Handoff.IntegrationTests.Conversations;
using Handoff.Testing;

namespace Handoff.IntegrationTests.HelpDesks;

/// <summary>Help-desk → help-desk mode with Zoho SalesIQ: our bot is a Zobot on SalesIQ's Webhook platform.</summary>
public sealed class ZohoSalesIqZobotTests
{
    private static async Task<HandoffTestHost> ConnectAsync(FakeZohoSalesIq zoho, string agentId, object handoff, Dictionary<string, string?>? more = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["Handoff:HelpDesks:ZohoSalesIq:ApiBaseUrl"] = zoho.BaseUrl,
            ["Handoff:HelpDesks:ZohoSalesIq:AccountsBaseUrl"] = zoho.BaseUrl,
        };
        foreach (var (k, v) in more ?? []) config[k] = v;
        var h = await HandoffTestHost.StartAsync(config);
        (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/handoff", handoff)).EnsureSuccessStatusCode();
        (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/helpdesk", new
        {
            kind = "zoho-salesiq",
            settings = new { clientId = zoho.ClientId, clientSecret = zoho.ClientSecret, screenName = zoho.ScreenName, region = "us", publicKey = zoho.PublicKeyPem, departmentId = "19367000000009999" },
        })).EnsureSuccessStatusCode();
        using var authorize = new HttpRequestMessage(HttpMethod.Get, $"/api/agents/{agentId}/helpdesk/authorize");
        authorize.Headers.Accept.ParseAdd("application/json");
        var link = await (await h.Admin.SendAsync(authorize)).Content.ReadFromJsonAsync<JsonElement>();
        using var page = await FakeZohoSalesIq.ConsentAsync(link.GetProperty("authorizeUrl").GetString()!);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var connection = await h.Admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/helpdesk");
        Assert.Equal("available", connection.GetProperty("status").GetString());
        zoho.ZobotUrl = connection.GetProperty("receivingAddress").GetString();
        return h;
    }

    private static IEnumerable<string> Replies(JsonNode? answer) => answer?["replies"]?.AsArray().Select(r => r!.ToString()) ?? [];

    [Fact]
    public async Task The_zobot_answers_in_its_webhook_forwards_to_the_department_and_answers_again_after_the_operator_completes()
    {
        await using var zoho = await FakeZohoSalesIq.StartAsync();
        await using var h = await ConnectAsync(zoho, "zb1", new { mode = "helpdesk-to-helpdesk" });
        const string chat = "19367000000140001";

        var (status, answer) = await zoho.VisitorWritesAsync(chat, "hello", first: true);
        Assert.Equal(200, status);
        Assert.Equal("reply", answer!["action"]!.ToString());
        Assert.Equal(["Hello! How can I help you today?"], Replies(answer));

        (status, answer) = await zoho.VisitorWritesAsync(chat, "I need a human");
        Assert.Equal(200, status);
        Assert.Equal("forward", answer!["action"]!.ToString());
        Assert.Equal("19367000000009999", answer["department"]!.ToString());
        Assert.Contains("Thanks. I've asked a person from our team to join; please stay here.", Replies(answer));
        Assert.Equal((chat, "19367000000009999"), Assert.Single(zoho.Forwards));
        Assert.Empty(zoho.CallsTo("/conversations")); // the visitor's own chat is forwarded: no second conversation is made

        // A bad signature changes nothing.
        using var otherKey = RSA.Create(2048);
        Assert.Equal(401, (await zoho.VisitorWritesAsync(chat, "forged", signWith: otherKey)).Status);

        // The operator takes it (data webhook), the visitor answers the operator, the operator completes it.
        Assert.Equal(200, await zoho.OperatorRepliesAsync(chat, "Hi Jane, Patricia here."));
        var view = await h.OnlyConversationOfAsync("zb1");
        Assert.Equal("with-human", view.GetProperty("state").GetString());
        Assert.Equal("zoho-salesiq", view.GetProperty("channel").GetString());
        Assert.Equal(200, await zoho.CompletesAsync(chat));

        (status, answer) = await zoho.VisitorWritesAsync(chat, "what are your prices?");
        Assert.Equal("reply", answer!["action"]!.ToString());
        var after = Replies(answer).ToList();
        Assert.Equal("The conversation with our team has ended. I'm back to help.", after[0]);
        Assert.StartsWith("Our prices are on the pricing page", after[^1]);

        view = await h.ConversationAsync(view.GetProperty("conversationId").GetString()!);
        Assert.Equal("human-ended", view.GetProperty("handoff").GetProperty("endReason").GetString());
        var messages = view.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("from").GetString(), m.GetProperty("text").GetString())).ToList();
        Assert.Single(messages, m => m == ("human", "Hi Jane, Patricia here."));
        Assert.DoesNotContain(messages, m => m.Item2 == "forged");
        Assert.Equal(messages.Count, view.GetProperty("lastSeq").GetInt64());
    }

    [Fact]
    public async Task A_slow_model_gets_a_holding_reply_in_time_and_its_words_follow_with_the_next_answer()
    {
        await using var zoho = await FakeZohoSalesIq.StartAsync();
        await using var model = await FakeOpenAiServer.StartAsync();
        await using var h = await ConnectAsync(zoho, "zb2", new { mode = "helpdesk-to-helpdesk" },
            new() { ["Handoff:HelpDesks:ZohoSalesIq:ZobotAnswerWithin"] = "00:00:01" });
        (await h.Admin.PutAsJsonAsync("/api/agents/zb2/bot", new { kind = "openai-compatible", baseUrl = model.BaseUrl, model = "m" })).EnsureSuccessStatusCode();
        model.Delay = TimeSpan.FromSeconds(3);
        model.Respond = _ => FakeOpenAiServer.Text("Your order ships today.");

        var started = DateTime.UtcNow;
        var (status, answer) = await zoho.VisitorWritesAsync("19367000000140002", "where is my order?", first: true);
        Assert.Equal(200, status);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2.8), "the holding reply did not come before the model answered");
        Assert.Equal(["One moment, please."], Replies(answer));

        // The model answers late; the grain stores its words for the next answer a moment after.
        await Eventually.TrueAsync(() => model.Answered == 1, "the slow model never answered");
        await Task.Delay(300);
        model.Delay = TimeSpan.Zero;
        model.Respond = _ => FakeOpenAiServer.Text("Anything else?");
        (_, answer) = await zoho.VisitorWritesAsync("19367000000140002", "ok");
        Assert.Equal(["Your order ships today.", "Anything else?"], Replies(answer));
    }

    [Fact]
    public async Task Off_hours_are_answered_by_the_zobot_and_a_channel_mode_agent_refuses_zobot_calls()
    {
        await using var zoho = await FakeZohoSalesIq.StartAsync();
        var never = new[] { new { type = "date", date = "2001-01-01", start = "09:00", end = "10:00" } };
        await using var h = await ConnectAsync(zoho, "zb3", new { mode = "helpdesk-to-helpdesk", servicePeriods = never, offHoursReply = "We are closed now." });
        var (_, answer) = await zoho.VisitorWritesAsync("19367000000140003", "talk to a person", first: true);
        Assert.Equal("reply", answer!["action"]!.ToString());
        Assert.Contains("We are closed now.", Replies(answer));
        Assert.Empty(zoho.Forwards);

        (await h.Admin.PutAsJsonAsync("/api/agents/zb3/handoff", new { mode = "channel-to-helpdesk" })).EnsureSuccessStatusCode();
        Assert.Equal(409, (await zoho.VisitorWritesAsync("19367000000140004", "hello", first: true)).Status);
        await using var inSalesIq = await ChatClient.StartAsync(h.BaseAddress, "zb3", email: "a@example.com", channel: "zoho-salesiq");
        await inSalesIq.SendAsync("I want a human");
        await inSalesIq.WaitForStateAsync("bot", "wrong-channel");
    }

    [Fact]
    public async Task A_resent_zobot_call_and_the_zobots_own_replies_echoed_as_an_operators_change_nothing_and_a_widget_is_refused()
    {
        await using var zoho = await FakeZohoSalesIq.StartAsync();
        await using var h = await ConnectAsync(zoho, "zb4", new { mode = "helpdesk-to-helpdesk" });
        zoho.EchoZobotReplies = true;
        const string chat = "19367000000140005";

        var (_, first) = await zoho.VisitorWritesAsync(chat, "hello", first: true, requestId: "r-1");
        Assert.Equal(["Hello! How can I help you today?"], Replies(first));
        var (_, again) = await zoho.VisitorWritesAsync(chat, "hello", first: true, requestId: "r-1");
        Assert.Empty(Replies(again));

        var (_, forward) = await zoho.VisitorWritesAsync(chat, "I need a human");
        Assert.Equal("forward", forward!["action"]!.ToString());
        // The waiting text came back as an "operator" reply: the hand-off still waits for a real one.
        var view = await h.OnlyConversationOfAsync("zb4");
        Assert.Equal("waiting-for-human", view.GetProperty("state").GetString());
        Assert.Equal(200, await zoho.OperatorRepliesAsync(chat, "Patricia here, how can I help?"));
        view = await h.ConversationAsync(view.GetProperty("conversationId").GetString()!);
        Assert.Equal("with-human", view.GetProperty("state").GetString());
        var messages = view.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("from").GetString(), m.GetProperty("text").GetString())).ToList();
        Assert.Single(messages, m => m == ("user", "hello"));
        Assert.Equal(["Patricia here, how can I help?"], messages.Where(m => m.Item1 == "human").Select(m => m.Item2));

        await using var widget = await ChatClient.StartAsync(h.BaseAddress, "zb4", email: "a@example.com");
        await widget.SendAsync("I want a human");
        await widget.WaitForStateAsync("bot", "wrong-channel");
    }
}
