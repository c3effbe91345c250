using Microsoft.AspNetCore.SignalR.Client;
using System.Net;
using System.Text.Json;
using Handoff.Testing;

namespace Handoff.IntegrationTests.Conversations;

public sealed class HandoffFlowTests
{
    [Fact]
    public async Task A_user_without_an_email_is_asked_for_one_then_talks_with_a_human_until_they_end_it()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync(new { historyMessageCount = 10 });
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId);

        await chat.SendAsync("hello");
        await chat.WaitForMessageAsync(m => m.GetProperty("from").GetString() == "bot");
        await chat.SendAsync("my order 42 never arrived");
        await chat.WaitForMessageAsync(m => m.GetProperty("from").GetString() == "bot" && m.GetProperty("seq").GetInt64() == 4);

        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("awaiting-email");
        await chat.WaitForMessageAsync(m => m.GetProperty("from").GetString() == "system" && m.GetProperty("text").GetString()!.Contains("e-mail"));
        await chat.SendAsync("not an address");
        await chat.WaitForMessageAsync(m => m.GetProperty("from").GetString() == "system" && m.GetProperty("text").GetString()!.Contains("doesn't look like"));
        await chat.SendAsync("bob@example.com");
        await chat.WaitForStateAsync("waiting-for-human");

        var establish = await h.Desk.WaitForAsync("conversation/establish");
        var handoffId = establish.Str("conversation_id");
        Assert.Equal("bob@example.com", establish.Str("email"));
        Assert.Equal(agentId, establish.Str("bot_id"));
        Assert.Equal(chat.ConversationId, establish.Body.GetProperty("user_info").GetProperty("anonymous_id").GetString());
        var body = establish.Body.GetProperty("body").EnumerateArray().Select(i => (i.GetProperty("message_type").GetString(), i.GetProperty("text").GetString())).ToList();
        Assert.Equal(("QUESTION", "hello"), body[0]);
        Assert.Equal("ANSWER", body[1].Item1);
        Assert.Equal(("QUESTION", "my order 42 never arrived"), body[^1]);
        Assert.Equal(3, body.Count); // the bot answer after the question, the e-mail exchange and system texts are not history
        Assert.NotEqual(chat.ConversationId, handoffId);

        Assert.Equal(HttpStatusCode.OK, (await h.HumanSaysAsync(agentId, handoffId, "Hi Bob, Anna here.", "d-1")).StatusCode);
        await chat.WaitForStateAsync("with-human");
        var human = await chat.WaitForTextAsync("human", "Hi Bob, Anna here.");
        Assert.Equal("Anna", human.GetProperty("senderName").GetString());
        var joined = await chat.WaitForTextAsync("system", "A person from our team has joined the conversation.");
        Assert.Equal(human.GetProperty("seq").GetInt64() - 1, joined.GetProperty("seq").GetInt64()); // told, then the words

        var botCount = chat.Ordered().Count(m => m.GetProperty("from").GetString() == "bot");
        await chat.SendAsync("thanks, where is it?");
        await chat.SendAsync("it was a blue parcel");
        await h.Desk.WaitForAsync("chat", c => c.Str("body") == "it was a blue parcel");
        Assert.Equal(["thanks, where is it?", "it was a blue parcel"], h.Desk.Accepted("chat").Select(c => c.Str("body")));
        Assert.All(h.Desk.Accepted("chat"), c => Assert.Equal(handoffId, c.Str("conversation_id")));
        Assert.Equal(HttpStatusCode.OK, (await h.HumanSaysAsync(agentId, handoffId, "On its way.", "d-2")).StatusCode);
        await chat.WaitForTextAsync("human", "On its way.");

        await chat.Connection.InvokeAsync("EndHuman");
        await chat.WaitForStateAsync("bot", "user-ended");
        var close = await h.Desk.WaitForAsync("conversation/close");
        Assert.Equal("USER_CLOSED", close.Str("type"));
        Assert.Equal(botCount, chat.Ordered().Count(m => m.GetProperty("from").GetString() == "bot")); // the bot said nothing meanwhile

        var view = await h.ConversationAsync(chat.ConversationId);
        Assert.Equal("bot", view.GetProperty("state").GetString());
        Assert.Equal("user-ended", view.GetProperty("handoff").GetProperty("endReason").GetString());
        Assert.Equal(JsonValueKind.String, view.GetProperty("handoff").GetProperty("firstHumanReplyAt").ValueKind);
        var seqs = view.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
        Assert.Equal(view.GetProperty("lastSeq").GetInt64(), seqs[^1]);
        Assert.Empty(h.Desk.Problems);
    }

    [Fact]
    public async Task The_builtin_bot_hands_off_when_the_user_asks_for_a_person_and_the_human_can_end_it()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync();
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "ann@example.org");

        await chat.SendAsync("can I talk to a real person?");
        await chat.WaitForStateAsync("waiting-for-human");
        var establish = await h.Desk.WaitForAsync("conversation/establish");
        Assert.Equal("can I talk to a real person?", establish.Body.GetProperty("body").EnumerateArray().Last().GetProperty("text").GetString());
        Assert.DoesNotContain(chat.Ordered(), m => m.GetProperty("from").GetString() == "bot");

        var handoffId = establish.Str("conversation_id");
        await h.HumanSaysAsync(agentId, handoffId, "Hello!");
        await chat.WaitForStateAsync("with-human");
        Assert.Equal(HttpStatusCode.OK, (await h.HumanClosesAsync(agentId, handoffId)).StatusCode);
        await chat.WaitForStateAsync("bot", "human-ended");
        Assert.Empty(h.Desk.Accepted("conversation/close")); // the desk closed it; we do not call it back

        Assert.Equal(HttpStatusCode.Conflict, (await h.HumanSaysAsync(agentId, handoffId, "late")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await h.HumanClosesAsync(agentId, handoffId)).StatusCode);

        await chat.SendAsync("hello again");
        await chat.WaitForMessageAsync(m => m.GetProperty("from").GetString() == "bot");
    }

    [Fact]
    public async Task A_repeated_human_message_id_is_stored_once()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync();
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "ann@example.org");
        await chat.Connection.InvokeAsync("RequestHuman");
        var handoffId = (await h.Desk.WaitForAsync("conversation/establish")).Str("conversation_id");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await h.HumanSaysAsync(agentId, handoffId, "only once", "retry-me")).StatusCode);
        }

        var view = await h.ConversationAsync(chat.ConversationId);
        Assert.Single(view.GetProperty("messages").EnumerateArray(), m => m.GetProperty("text").GetString() == "only once");
    }

    [Fact]
    public async Task The_same_client_message_id_is_stored_once_with_the_same_seq()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync();
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId);

        var first = await chat.SendAsync("hi there", "client-1");
        var again = await chat.SendAsync("hi there", "client-1");

        Assert.Equal(first, again);
        var view = await h.ConversationAsync(chat.ConversationId);
        Assert.Single(view.GetProperty("messages").EnumerateArray(), m => m.GetProperty("text").GetString() == "hi there");
    }
}
