using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Handoff.IntegrationTests.Conversations;
using Handoff.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR.Client;

namespace Handoff.IntegrationTests.Bots;

public sealed class ModelBotTests
{
    private const string Trigger = "The user is upset about an invoice.";

    [Fact]
    public async Task The_model_gets_the_hand_off_tool_its_call_opens_the_hand_off_and_the_tool_result_comes_back()
    {
        await using var model = await FakeOpenAiServer.StartAsync();
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync(new { triggerDescription = Trigger });
        (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/bot", new { kind = "openai-compatible", baseUrl = model.BaseUrl, model = "fake-model", apiKey = "sk-test-123456", systemPrompt = "You are the bot of Example Ltd." })).EnsureSuccessStatusCode();
        model.Respond = request => HasToolResult(request)
            ? FakeOpenAiServer.Text("I have asked a colleague to join.")
            : FakeOpenAiServer.ToolCall("request_human_handoff", """{"reason":"invoice dispute"}""");
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "a@example.com");

        await chat.SendAsync("This invoice is wrong and I am angry");
        await chat.WaitForStateAsync("waiting-for-human");
        await chat.WaitForTextAsync("bot", "I have asked a colleague to join.");

        var (first, auth) = model.Requests.First();
        Assert.Equal("Bearer sk-test-123456", auth);
        Assert.Equal("fake-model", first.GetProperty("model").GetString());
        var tool = first.GetProperty("tools")[0].GetProperty("function");
        Assert.Equal("request_human_handoff", tool.GetProperty("name").GetString());
        Assert.Equal(Trigger, tool.GetProperty("description").GetString());
        var messages = first.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal("system", messages[0].GetProperty("role").GetString());
        Assert.Equal("This invoice is wrong and I am angry", LastUserText(first));

        var second = model.Requests.ElementAt(1).Body;
        var toolMessage = second.GetProperty("messages").EnumerateArray().Last();
        Assert.Equal("tool", toolMessage.GetProperty("role").GetString());
        Assert.Equal("waiting-for-human", JsonDocument.Parse(toolMessage.GetProperty("content").GetString()!).RootElement.GetProperty("outcome").GetString());
        var establish = await h.Desk.WaitForAsync("conversation/establish");
        Assert.Equal("This invoice is wrong and I am angry", establish.Body.GetProperty("body").EnumerateArray().Last().GetProperty("text").GetString());

        // The human stretch: the model is not called at all.
        var calls = model.Requests.Count;
        var handoffId = establish.Str("conversation_id");
        await h.HumanSaysAsync(agentId, handoffId, "Hi, I'm Anna from billing.");
        await chat.WaitForStateAsync("with-human");
        await chat.SendAsync("the amount is twice what I expected");
        await h.Desk.WaitForAsync("chat");
        Assert.Equal(calls, model.Requests.Count);

        await h.HumanClosesAsync(agentId, handoffId);
        await chat.WaitForStateAsync("bot", "human-ended");
        model.Respond = _ => FakeOpenAiServer.Text("Welcome back!");
        await chat.SendAsync("thanks, all solved");
        await chat.WaitForTextAsync("bot", "Welcome back!");
        var afterwards = model.Requests.Last().Body.GetProperty("messages").EnumerateArray().ToList();
        Assert.Contains(afterwards, m => m.GetProperty("role").GetString() == "system" && m.GetProperty("content").GetString()!.Contains("human-ended"));
        Assert.Equal("thanks, all solved", LastUserText(model.Requests.Last().Body));
    }

    [Fact]
    public async Task A_failing_model_gives_one_apology_keeps_the_message_and_is_tried_again_next_time()
    {
        await using var model = await FakeOpenAiServer.StartAsync();
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync(new { enabled = false });
        (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/bot", new { kind = "openai-compatible", baseUrl = model.BaseUrl, model = "m" })).EnsureSuccessStatusCode();
        model.Respond = _ => Results.StatusCode(500);
        await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId);

        var seq = await chat.SendAsync("hello?");
        await chat.WaitForMessageAsync(m => m.GetProperty("from").GetString() == "system" && m.GetProperty("text").GetString()!.StartsWith("Sorry, I can't answer"));
        Assert.False(model.Requests.First().Body.TryGetProperty("tools", out _)); // hand-off disabled: no tool offered
        Assert.Null(model.Requests.First().Authorization); // no key set: no Authorization header

        model.Respond = _ => FakeOpenAiServer.Text("Back again.");
        await chat.SendAsync("hello again");
        await chat.WaitForTextAsync("bot", "Back again.");
        var view = await h.ConversationAsync(chat.ConversationId);
        Assert.Contains(view.GetProperty("messages").EnumerateArray(), m => m.GetProperty("seq").GetInt64() == seq && m.GetProperty("text").GetString() == "hello?");
    }

    [Fact]
    public async Task Bot_settings_are_validated_and_the_api_key_is_masked_and_the_tool_schema_is_published()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var agentId = await h.CreateAgentAsync(new { triggerDescription = Trigger });
        Assert.Equal("builtin", (await h.Admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/bot")).GetProperty("kind").GetString());

        var bad = await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/bot", new { kind = "openai-compatible", timeoutSeconds = 500 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("model", out _) && errors.TryGetProperty("baseUrl", out _) && errors.TryGetProperty("timeoutSeconds", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/bot", new { kind = "eliza" })).StatusCode);

        (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/bot", new { kind = "openai-compatible", baseUrl = "http://127.0.0.1:11434/v1", model = "llama3.1", apiKey = "sk-secret-abcd" })).EnsureSuccessStatusCode();
        var got = await h.Admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/bot");
        Assert.EndsWith("abcd", got.GetProperty("apiKey").GetString());
        Assert.DoesNotContain("sk-secret", got.GetRawText());
        Assert.Equal(30, got.GetProperty("timeoutSeconds").GetInt32());

        var tool = await h.Admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/handoff/tool");
        Assert.Equal("function", tool.GetProperty("type").GetString());
        Assert.Equal("request_human_handoff", tool.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(Trigger, tool.GetProperty("function").GetProperty("description").GetString());
        Assert.Equal("string", tool.GetProperty("function").GetProperty("parameters").GetProperty("properties").GetProperty("reason").GetProperty("type").GetString());
    }

    private static bool HasToolResult(JsonElement request) =>
        request.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("role").GetString() == "tool");

    private static string? LastUserText(JsonElement request)
    {
        var last = request.GetProperty("messages").EnumerateArray().Last(m => m.GetProperty("role").GetString() == "user");
        var content = last.GetProperty("content");
        return content.ValueKind == JsonValueKind.String ? content.GetString() : content[0].GetProperty("text").GetString();
    }
}
