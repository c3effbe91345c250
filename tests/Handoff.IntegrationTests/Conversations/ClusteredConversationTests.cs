using Handoff.Contracts.HelpDesks;
using System.Net;
using Handoff.Contracts.Agents;
using Handoff.Contracts.Conversations;
using Handoff.Grains;
using Handoff.Host.Hosting;
using Handoff.IntegrationTests.Storage;
using Handoff.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace Handoff.IntegrationTests.Conversations;

/// <summary>Several nodes on one PostgreSQL: pushes cross nodes, and timeouts survive the death of their silo.</summary>
public sealed class ClusteredConversationTests
{
    [Fact]
    public async Task A_conversation_whose_connection_is_on_one_node_and_grain_on_another_works_both_ways()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("nodes");
        var clusterId = "nodes-" + Guid.NewGuid().ToString("N")[..8];
        Dictionary<string, string?> Node() => new()
        {
            ["Handoff:Storage"] = "postgres",
            ["ConnectionStrings:Handoff"] = connectionString,
            ["Handoff:Cluster:AdvertisedAddress"] = "127.0.0.1",
            ["Handoff:Cluster:ClusterId"] = clusterId,
            ["Handoff:AllowPrivateNetworkTargets"] = "true",
        };
        await using var a = await HandoffTestHost.StartAsync(Node());
        await using var b = await HandoffTestHost.StartAsync(Node(), a.Desk);
        var agentId = await a.CreateAgentAsync();
        b.ReceivingKeys[agentId] = a.ReceivingKeys[agentId];
        var grains = a.Host.App.Services.GetRequiredService<IGrainFactory>();

        // Make conversations until one lives on node A, then talk to it through node B's hub.
        ChatClient? chat = null;
        var siloA = a.Host.App.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        for (var i = 0; i < 20 && chat is null; i++)
        {
            var candidate = await ChatClient.StartAsync(a.BaseAddress, agentId, email: "a@example.com", hubHost: b.BaseAddress);
            await candidate.JoinAsync();
            var where = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetGrain<IConversationGrain>(candidate.ConversationId));
            if (siloA.Equals(where)) chat = candidate;
            else await candidate.DisposeAsync();
        }

        Assert.NotNull(chat);
        await using (chat)
        {
            await chat.Connection.InvokeAsync("RequestHuman");
            await chat.WaitForStateAsync("waiting-for-human");
            var handoffId = (await a.Desk.WaitForAsync("conversation/establish")).Str("conversation_id");

            Assert.Equal(HttpStatusCode.OK, (await b.HumanSaysAsync(agentId, handoffId, "from the desk via node B", "x1")).StatusCode);
            await chat.WaitForTextAsync("human", "from the desk via node B");
            await chat.SendAsync("from the user via node B");
            await a.Desk.WaitForAsync("chat", c => c.Str("body") == "from the user via node B");
        }
    }

    [Fact]
    public async Task The_wait_timeout_still_fires_after_the_silo_holding_the_conversation_is_killed()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("killed");
        await PostgresSchema.ApplyAsync(connectionString);
        await using var desk = await FakeWebhookDesk.StartAsync();
        await using var cluster = await PostgresClusters.StartFullyDurableAsync(connectionString, "svc-killed", silos: 3,
            services => services.AddHandoffGrainServices(connectionString));
        var agentId = "killtest";
        var agent = cluster.Client.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
        await agent.SetHandoffSettingsAsync(Handoff.Grains.Agents.AgentSettingsDefaults.Enabled with { WaitTimeoutSeconds = 2 });
        await agent.SetHelpDeskAsync("webhook", new Dictionary<string, string> { ["url"] = desk.BaseUrl });
        Assert.Equal(HelpDeskConnection.Available, (await cluster.Client.GetGrain<IHelpDeskGrain>(AgentKeys.For(agentId)).VerifyConnectionAsync())!.Status);

        var conversationId = "c" + Guid.NewGuid().ToString("N");
        var conversation = cluster.Client.GetGrain<IConversationGrain>(conversationId);
        await conversation.CreateAsync(agentId, "widget", "a@example.com", null);
        Assert.Equal("waiting-for-human", (await conversation.RequestHandoffAsync("test")).Outcome);

        var where = await cluster.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(conversation);
        await cluster.KillSiloAsync(cluster.Silos.Single(s => s.SiloAddress.Equals(where)));

        // Prompt after 2 s, end after 2 s more; the desk is told TIMEOUT once the grain is back on a live silo.
        var close = await desk.WaitForAsync("conversation/close", timeoutMs: 45_000);
        Assert.Equal("TIMEOUT", close.Str("type"));
        var view = await conversation.GetAsync(500);
        Assert.Equal("wait-timeout", view.Handoff!.EndReason);
        Assert.Single(view.Messages, m => m.From == ChatMessage.System && m.Text == HandoffTexts.Defaults.WaitTimeoutPrompt);
        Assert.Single(desk.Accepted("conversation/close"));
    }
}
