using System.Net;
using System.Net.Sockets;
using Handoff.Contracts.Agents;
using Handoff.Contracts.HelpDesks;
using Handoff.Grains.Agents;

namespace Handoff.IntegrationTests.Grains;

/// <summary>The agent grain on a test silo: one versioned snapshot, and no desk call inside its turn.</summary>
[Collection(ConversationGrainCollection.Name)]
public sealed class AgentGrainTests(ConversationGrainCluster silo)
{
    [Fact]
    public async Task Every_kind_of_change_gives_the_snapshot_a_new_version()
    {
        var agent = silo.Grains.GetGrain<IAgentGrain>(AgentKeys.For("v-" + Guid.NewGuid().ToString("N")[..12]));
        var versions = new List<long> { (await agent.GetSnapshotAsync(null)).Version };
        await agent.SetHandoffSettingsAsync(AgentSettingsDefaults.Enabled);
        versions.Add((await agent.GetSnapshotAsync(null)).Version);
        await agent.SetBotSettingsAsync(BotSettings.Default);
        versions.Add((await agent.GetSnapshotAsync(null)).Version);
        await agent.SetHelpDeskAsync("webhook", new Dictionary<string, string> { ["url"] = "http://127.0.0.1:9/desk" });
        versions.Add((await agent.GetSnapshotAsync(null)).Version);
        await agent.SetHelpDeskStatusAsync(HelpDeskConnection.Available, "ok", DateTimeOffset.UtcNow);
        versions.Add((await agent.GetSnapshotAsync(null)).Version);
        await agent.RemoveHelpDeskAsync();
        versions.Add((await agent.GetSnapshotAsync(null)).Version);

        Assert.Equal(versions.Order().Distinct(), versions);
        Assert.Null((await agent.GetSnapshotAsync(null)).HelpDesk);
    }

    [Fact]
    public async Task A_desk_that_does_not_answer_holds_up_its_verification_but_never_the_agent()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0); // accepts connections, never answers
        silent.Start();
        var agentId = "s-" + Guid.NewGuid().ToString("N")[..12];
        var agent = silo.Grains.GetGrain<IAgentGrain>(AgentKeys.For(agentId));
        await agent.SetHandoffSettingsAsync(AgentSettingsDefaults.Enabled);
        await agent.SetHelpDeskAsync("webhook", new Dictionary<string, string> { ["url"] = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/desk" });

        var verification = silo.Grains.GetGrain<IHelpDeskGrain>(AgentKeys.For(agentId)).VerifyConnectionAsync();
        var read = agent.GetSnapshotAsync(null);
        Assert.Same(read, await Task.WhenAny(read, verification));
        Assert.False(verification.IsCompleted);
        Assert.NotNull((await read).Settings);

        // The operator replaces the connection while the old one is still being checked.
        await agent.SetHelpDeskAsync("webhook", new Dictionary<string, string> { ["url"] = "http://127.0.0.1:9/other" });
        silent.Stop(); // the old check now fails
        await verification;

        var connection = (await agent.GetHelpDeskAsync())!;
        Assert.Equal("http://127.0.0.1:9/other", connection.Settings["url"]);
        Assert.Equal("not verified yet", connection.StatusDetail); // the old connection's result was not stamped on the new one
    }
}
