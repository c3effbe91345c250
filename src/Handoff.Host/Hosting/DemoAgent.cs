using Handoff.Contracts.HelpDesks;
using Handoff.Contracts.Agents;
using Handoff.Grains.Agents;
using Handoff.HelpDesks.Webhook;
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
            await agent.SetHelpDeskAsync(WebhookDescriptor.KindName, new Dictionary<string, string> { ["url"] = deskUrl });
        }

        var connection = (await grains.GetGrain<IHelpDeskGrain>(AgentKeys.For(AgentId)).VerifyConnectionAsync())!;
        var self = (configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "http://127.0.0.1:5080").Split(';')[0];
        var pairingFile = configuration["Handoff:Demo:PairingFile"] ?? PairingFile;
        await WritePairingAsync(pairingFile, self, keys.CreateReceivingKey(AgentId, connection.ReceivingSecret), stoppingToken);
        logger.LogInformation(
            "Demo agent '{AgentId}' hands off to the reference desk at {DeskUrl} (now {Status}; it is checked again when a hand-off is asked). " +
            "Start the desk with: dotnet run --project src/Handoff.Desk   (it reads its receiving key from {PairingFile})",
            AgentId, deskUrl, connection.Status, pairingFile);
    }

    /// <summary>The file the reference desk reads at start (its DeskApp.DemoPairingFile); readable by this user only.</summary>
    public static string PairingFile { get; } = Path.Combine(Path.GetTempPath(), "handoff-demo", "desk.json");

    private static async Task WritePairingAsync(string pairingFile, string selfUrl, string receivingKey, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(pairingFile)!;
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var json = System.Text.Json.JsonSerializer.Serialize(new { Desk = new { HandoffBaseUrl = selfUrl, ReceivingKey = receivingKey } });
        // Written aside and moved into place, so the desk never reads half a file.
        var partial = pairingFile + ".partial";
        await File.WriteAllTextAsync(partial, json, cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(partial, pairingFile, overwrite: true);
    }
}
