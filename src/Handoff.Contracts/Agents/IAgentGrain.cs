namespace Handoff.Contracts.Agents;

/// <summary>An agent's configuration: hand-off settings and help-desk connection. Key: <see cref="AgentKeys.For"/>.</summary>
[Alias("handoff.agent")]
public interface IAgentGrain : IGrainWithStringKey
{
    [Alias("exists")] Task<bool> ExistsAsync();
    [Alias("get-settings")] Task<HandoffSettings?> GetHandoffSettingsAsync();
    [Alias("set-settings")] Task SetHandoffSettingsAsync(HandoffSettings settings);
    [Alias("get-helpdesk")] Task<HelpDeskConnection?> GetHelpDeskAsync();
    [Alias("set-helpdesk")] Task<HelpDeskConnection> SetHelpDeskAsync(string kind, IReadOnlyDictionary<string, string> settings);
    [Alias("set-helpdesk-status")] Task<HelpDeskConnection?> SetHelpDeskStatusAsync(string status, string? detail, DateTimeOffset checkedAt);
    [Alias("remove-helpdesk")] Task RemoveHelpDeskAsync();
    [Alias("touch")] Task EnsureCreatedAsync();
    [Alias("get-bot")] Task<BotSettings?> GetBotSettingsAsync();
    [Alias("set-bot")] Task SetBotSettingsAsync(BotSettings settings);
    [Alias("verify-helpdesk")] Task<HelpDeskConnection?> VerifyHelpDeskAsync();
    [Alias("helpdesk-for-handoff")] Task<HelpDeskConnection?> GetHelpDeskForHandoffAsync(TimeSpan recheckUnavailableAfter);
}

public static class AgentKeys
{
    // A prefix keeps all-digit agent ids from being read as integer grain keys by the ADO.NET storage.
    public static string For(string agentId) => "agent-" + agentId;
}
