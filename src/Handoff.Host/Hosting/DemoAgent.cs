using Handoff.Contracts.Agents;
using Handoff.Grains.Agents;
using Handoff.Host.Security;

namespace Handoff.Host.Hosting;

/// <summary>
/// The embedded default's first-run agent <c>demo</c>, wired to the reference desk (src/Handoff.Desk) on
/// loopback, so a newcomer can chat and answer as the human without configuring anything.
/// </summary>
internal sealed class DemoAgent(IGrainFactory grains, HandoffKeys keys, IConfiguration configuration, IHostApplicationLifetime lifetime, ILogger<DemoAgent> logger)
    : BackgroundService
{
    public const string AgentId = "demo";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Grain calls work once the silo has started, which is after every hosted service's StartAsync.
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);

        var deskUrl = configuration["Handoff:Demo:DeskUrl"] ?? "http://127.0.0.1:5090/human/service";
        var agent = grains.GetGrain<IAgentGrain>(AgentKeys.For(AgentId));
        if (await agent.GetHandoffSettingsAsync() is null)
        {
            await agent.SetHandoffSettingsAsync(AgentSettingsDefaults.Enabled with
            {
                TriggerDescription = "The user asks for a person, or is upset about billing.",
                WaitTimeoutSeconds = 120,
            });
            await agent.SetHelpDeskAsync("webhook", new Dictionary<string, string> { ["url"] = deskUrl });
        }

        var connection = await agent.VerifyHelpDeskAsync();
        var self = configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "http://127.0.0.1:5080";
        logger.LogInformation(
            "Demo agent '{AgentId}' hands off to the reference desk at {DeskUrl} (now {Status}). Start the desk with: " +
            "dotnet run --project src/Handoff.Desk -- --Desk:HandoffBaseUrl={Self} --Desk:ReceivingKey={ReceivingKey}",
            AgentId, deskUrl, connection?.Status, self.Split(';')[0], keys.CreateReceivingKey(AgentId, connection!.ReceivingSecret));
    }
}
