using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Handoff.Host.Hosting;
using Handoff.Testing;
using Microsoft.AspNetCore.Builder;

namespace Handoff.IntegrationTests.Conversations;

/// <summary>The real host on loopback (memory mode unless told otherwise) plus an admin client and a strict desk.</summary>
internal sealed class HandoffTestHost : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789";

    private HandoffTestHost(RunningHost host, FakeWebhookDesk desk)
    {
        Host = host;
        Desk = desk;
        Admin = new HttpClient { BaseAddress = host.BaseAddress };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public RunningHost Host { get; }
    public FakeWebhookDesk Desk { get; }
    public HttpClient Admin { get; }
    public Uri BaseAddress => Host.BaseAddress;

    /// <param name="configure">Changes to the host's builder before it is built (e.g. a test's own help-desk kind).</param>
    public static async Task<HandoffTestHost> StartAsync(Dictionary<string, string?>? settings = null, FakeWebhookDesk? desk = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Handoff:AdminApiKey"] = AdminKey,
            ["Handoff:Demo:Enabled"] = "false",
            ["Handoff:Reminders:MinimumPeriod"] = "00:00:01",
        };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        var host = await RunningHost.StartAsync(all, args => HandoffApp.Build(args, configure));
        return new HandoffTestHost(host, desk ?? await FakeWebhookDesk.StartAsync());
    }

    /// <summary>An agent with hand-off on and the strict desk connected (available).</summary>
    public async Task<string> CreateAgentAsync(object? handoff = null, Dictionary<string, string>? deskSettings = null)
    {
        var agentId = "agent-" + Guid.NewGuid().ToString("N")[..10];
        (await Admin.PutAsJsonAsync($"/api/agents/{agentId}/handoff", handoff ?? new { })).EnsureSuccessStatusCode();
        var settings = deskSettings ?? new Dictionary<string, string>();
        settings["url"] = Desk.BaseUrl;
        var response = await Admin.PutAsJsonAsync($"/api/agents/{agentId}/helpdesk", new { kind = "webhook", settings });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("available", body.GetProperty("status").GetString());
        ReceivingKeys[agentId] = body.GetProperty("receivingKey").GetString()!;
        return agentId;
    }

    public Dictionary<string, string> ReceivingKeys { get; } = new();

    /// <summary>The desk's human answering through <c>/v1/human/message/receive</c>.</summary>
    public async Task<HttpResponseMessage> HumanSaysAsync(string agentId, string handoffId, string text, string? messageId = null, string? senderName = "Anna")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/human/message/receive")
        {
            Content = JsonContent.Create(new { conversation_id = handoffId, timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), body = text, message_id = messageId, sender_name = senderName }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReceivingKeys[agentId]);
        return await new HttpClient { BaseAddress = BaseAddress }.SendAsync(request);
    }

    public async Task<HttpResponseMessage> HumanClosesAsync(string agentId, string handoffId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/human/close")
        {
            Content = JsonContent.Create(new { conversation_id = handoffId, timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReceivingKeys[agentId]);
        return await new HttpClient { BaseAddress = BaseAddress }.SendAsync(request);
    }

    /// <summary>The one conversation an agent lists (the console's live list), once it shows: for conversations made by a desk's webhooks.</summary>
    public async Task<JsonElement> OnlyConversationOfAsync(string agentId)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var list = await Admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/conversations");
            if (list.GetArrayLength() > 0)
            {
                return await ConversationAsync(Assert.Single(list.EnumerateArray()).GetProperty("conversationId").GetString()!);
            }

            Assert.True(DateTime.UtcNow < until, $"agent {agentId} lists no conversation");
            await Task.Delay(50);
        }
    }

    public async Task<JsonElement> ConversationAsync(string conversationId) =>
        await Admin.GetFromJsonAsync<JsonElement>($"/api/conversations/{conversationId}");

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Host.DisposeAsync();
        await Desk.DisposeAsync();
    }
}
