using System.Net.Http.Json;
using System.Text.Json;
using Handoff.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Handoff.IntegrationTests.Conversations;

public sealed class RefusalAndTimeoutTests
{
    [Fact]
    public async Task A_disabled_hand_off_is_refused_with_a_system_message_and_the_reason()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync(new { enabled = false, texts = new { unavailable = "Nobody can take over." } });
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "a@example.com");

        await chat.Connection.InvokeAsync("RequestHuman");

        await chat.WaitForStateAsync("bot", "disabled");
        await chat.WaitForTextAsync("system", "Nobody can take over.");
        var view = await h.ConversationAsync(chat.ConversationId);
        Assert.Equal("ended", view.GetProperty("handoff").GetProperty("state").GetString());
        Assert.Equal("disabled", view.GetProperty("handoff").GetProperty("endReason").GetString());
        Assert.Empty(h.Desk.Calls);
    }

    [Fact]
    public async Task Outside_the_service_windows_the_off_hours_reply_is_sent()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var yesterday = DateTime.UtcNow.AddDays(-2).ToString("yyyy-MM-dd");
        var agentId = await h.CreateAgentAsync(new
        {
            servicePeriods = new[] { new { type = "date", date = yesterday, start = "00:00", end = "24:00" } },
            offHoursReply = "We are closed; we will e-mail you.",
        });
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "a@example.com");

        var outcome = await h.Admin.PostAsJsonAsync($"/api/conversations/{chat.ConversationId}/handoff", new { reason = "tool" });

        Assert.Equal("off-hours", (await outcome.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        await chat.WaitForStateAsync("bot", "off-hours");
        await chat.WaitForTextAsync("system", "We are closed; we will e-mail you.");
        Assert.Empty(h.Desk.Calls);
    }

    [Fact]
    public async Task A_help_desk_that_is_not_available_or_a_wrong_channel_refuses_the_hand_off()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync();
        await using (var fromIntercom = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "a@example.com", channel: "intercom"))
        {
            await fromIntercom.Connection.InvokeAsync("RequestHuman");
            await fromIntercom.WaitForStateAsync("bot", "wrong-channel");
        }

        h.Desk.FailWith = 503;
        (await h.Admin.PostAsync($"/api/agents/{agentId}/helpdesk/verify", null)).EnsureSuccessStatusCode();
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "a@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("bot", "helpdesk-unavailable");
    }

    [Fact]
    public async Task A_desk_error_while_opening_tells_the_user_and_returns_to_the_bot()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync();
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "a@example.com");
        h.Desk.FailWith = 500; // the probe is a GET and still answers; the establish POST fails

        await chat.Connection.InvokeAsync("RequestHuman");

        await chat.WaitForStateAsync("bot", "helpdesk-error");
        var view = await h.ConversationAsync(chat.ConversationId);
        Assert.Equal("helpdesk-error", view.GetProperty("handoff").GetProperty("endReason").GetString());
        Assert.Contains(view.GetProperty("messages").EnumerateArray(), m => m.GetProperty("from").GetString() == "system");
    }

    [Fact]
    public async Task The_wait_timeout_asks_the_user_keep_waiting_restarts_it_and_no_answer_ends_it()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync(new { waitTimeoutSeconds = 1 });
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "a@example.com");
        var started = DateTimeOffset.UtcNow;

        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("waiting-for-human");
        var prompt = await chat.WaitForStateAsync("wait-timeout-prompt");
        Assert.True(prompt.GetProperty("at").GetDateTimeOffset() >= started.AddSeconds(1), "the wait timeout fired early");

        await chat.Connection.InvokeAsync("KeepWaiting");
        await WaitForCountAsync(chat, "waiting-for-human", 2);
        await WaitForCountAsync(chat, "wait-timeout-prompt", 2);
        await chat.WaitForStateAsync("bot", "wait-timeout");

        var close = await h.Desk.WaitForAsync("conversation/close");
        Assert.Equal("TIMEOUT", close.Str("type"));
        Assert.Single(h.Desk.Accepted("conversation/close"));
        var view = await h.ConversationAsync(chat.ConversationId);
        Assert.Equal("wait-timeout", view.GetProperty("handoff").GetProperty("endReason").GetString());
    }

    [Fact]
    public async Task The_user_can_end_while_the_wait_timeout_prompt_is_shown()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync(new { waitTimeoutSeconds = 1 });
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "a@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        await chat.WaitForStateAsync("wait-timeout-prompt");

        await chat.Connection.InvokeAsync("EndHuman");

        await chat.WaitForStateAsync("bot", "user-ended");
        Assert.Equal("USER_CLOSED", (await h.Desk.WaitForAsync("conversation/close")).Str("type"));
    }

    [Fact]
    public async Task A_human_reply_during_the_prompt_connects_and_the_session_timeout_ends_a_silent_session()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync(new { waitTimeoutSeconds = 1, sessionTimeoutSeconds = 1 });
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "a@example.com");
        await chat.Connection.InvokeAsync("RequestHuman");
        var handoffId = (await h.Desk.WaitForAsync("conversation/establish")).Str("conversation_id");
        await chat.WaitForStateAsync("wait-timeout-prompt");

        await h.HumanSaysAsync(agentId, handoffId, "Sorry for the wait!");
        await chat.WaitForStateAsync("with-human");
        await chat.WaitForStateAsync("bot", "session-timeout", timeoutMs: 8000);

        Assert.Equal("TIMEOUT", (await h.Desk.WaitForAsync("conversation/close")).Str("type"));
        var view = await h.ConversationAsync(chat.ConversationId);
        Assert.Equal("session-timeout", view.GetProperty("handoff").GetProperty("endReason").GetString());
    }

    private static async Task WaitForCountAsync(ChatClient chat, string state, int count)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (chat.States.Count(s => s.GetProperty("state").GetString() == state) < count)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{state} x{count}; got {string.Join(",", chat.States)}");
            await Task.Delay(25);
        }
    }
}
