using System.Net.Http.Json;
using System.Text.Json;
using Handoff.Desk;
using Handoff.Testing;

namespace Handoff.IntegrationTests.Conversations;

/// <summary>The host against the real reference desk (src/Handoff.Desk), as a newcomer runs them.</summary>
public sealed class ReferenceDeskTests
{
    [Fact]
    public async Task A_human_at_the_reference_desk_sees_the_history_answers_and_closes()
    {
        await using var h = await HandoffTestHost.StartAsync();
        var store = new DeskStore();
        var agentId = "desk-agent";
        (await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/handoff", new { })).EnsureSuccessStatusCode();

        // The desk needs the receiving key, and the host needs the desk's address: start the desk, then connect it.
        var deskPort = FreePorts.Next();
        var connect = await h.Admin.PutAsJsonAsync($"/api/agents/{agentId}/helpdesk",
            new { kind = "webhook", settings = new { url = $"http://127.0.0.1:{deskPort}/human/service", username = "desk", password = "desk-pass" } });
        var receivingKey = (await connect.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("receivingKey").GetString()!;
        var desk = DeskApp.Build([$"--urls=http://127.0.0.1:{deskPort}", $"--Desk:HandoffBaseUrl={h.BaseAddress}", $"--Desk:ReceivingKey={receivingKey}",
            "--Desk:Username=desk", "--Desk:Password=desk-pass", "--Desk:HumanName=Anna", "--Logging:LogLevel:Default=Warning"], store);
        await desk.StartAsync();
        try
        {
            (await h.Admin.PostAsync($"/api/agents/{agentId}/helpdesk/verify", null)).EnsureSuccessStatusCode();
            await using var chat = await ChatClient.StartAsync(h.BaseAddress, agentId, email: "bob@example.com");
            await chat.SendAsync("hello");
            await chat.SendAsync("my parcel is lost, I need a person");
            await chat.WaitForStateAsync("waiting-for-human");

            var opened = await store.WaitForAsync(c => c.Email == "bob@example.com", TimeSpan.FromSeconds(10));
            Assert.True(opened.Waiting);
            Assert.Equal(["hello", "my parcel is lost, I need a person"], opened.Items.Where(i => i.From == "user").Select(i => i.Text));

            using var console = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{deskPort}") };
            (await console.PostAsJsonAsync($"/api/desk/conversations/{opened.ConversationId}/reply", new { text = "Hi Bob, let me look." })).EnsureSuccessStatusCode();
            var reply = await chat.WaitForTextAsync("human", "Hi Bob, let me look.");
            Assert.Equal("Anna", reply.GetProperty("senderName").GetString());

            await chat.SendAsync("thank you");
            await store.WaitForAsync(opened.ConversationId, c => c.Items.Any(i => i.Text == "thank you"), TimeSpan.FromSeconds(10));

            (await console.PostAsync($"/api/desk/conversations/{opened.ConversationId}/close", null)).EnsureSuccessStatusCode();
            await chat.WaitForStateAsync("bot", "human-ended");
        }
        finally
        {
            await desk.StopAsync();
            await desk.DisposeAsync();
        }
    }
}
