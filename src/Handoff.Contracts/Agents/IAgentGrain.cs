using Orleans.Concurrency;

namespace Handoff.Contracts.Agents;

/// <summary>An agent's configuration: hand-off settings and help-desk connection. Key: <see cref="AgentKeys.For"/>.</summary>
[Alias("handoff.agent")]
public interface IAgentGrain : IGrainWithStringKey
{
    [ReadOnly, Alias("exists")] Task<bool> ExistsAsync();
    [ReadOnly, Alias("get-settings")] Task<HandoffSettings?> GetHandoffSettingsAsync();
    [Alias("set-settings")] Task SetHandoffSettingsAsync(HandoffSettings settings);
    [ReadOnly, Alias("get-helpdesk")] Task<HelpDeskConnection?> GetHelpDeskAsync();
    [Alias("set-helpdesk")] Task<HelpDeskConnection> SetHelpDeskAsync(string kind, IReadOnlyDictionary<string, string> settings);
    [Alias("set-helpdesk-status")] Task<HelpDeskConnection?> SetHelpDeskStatusAsync(string status, string? detail, DateTimeOffset checkedAt);
    /// <summary>Adds what the desk granted at consent (a refresh token) to the connection, sealed; false if the connection changed meanwhile.</summary>
    [Alias("store-helpdesk-grant")] Task<bool> StoreHelpDeskGrantAsync(string kind, IReadOnlyDictionary<string, string> grant);
    [Alias("remove-helpdesk")] Task RemoveHelpDeskAsync();
    [Alias("touch")] Task EnsureCreatedAsync();
    [ReadOnly, Alias("get-bot")] Task<BotSettings?> GetBotSettingsAsync();
    [OneWay, Alias("report-conversation")] Task ReportConversationAsync(LiveConversation conversation);
    [ReadOnly, Alias("live-conversations")] Task<IReadOnlyList<LiveConversation>> GetLiveConversationsAsync();
    [Alias("set-bot")] Task SetBotSettingsAsync(BotSettings settings);

    /// <summary>
    /// The connection as the help-desk grain verifies it (outside this grain's turn: no desk call ever runs here),
    /// or, when it cannot be called at all (secrets not decryptable, consent missing), the status to record at once.
    /// </summary>
    [ReadOnly, Alias("helpdesk-to-verify")] Task<HelpDeskToVerify?> GetHelpDeskToVerifyAsync();

    /// <summary>Records a verification's result, unless the connection was replaced since <paramref name="revision"/>.</summary>
    [Alias("record-helpdesk-status")] Task<HelpDeskConnection?> RecordHelpDeskStatusAsync(long revision, string status, string? detail, DateTimeOffset checkedAt);

    /// <summary>
    /// Everything a conversation needs of its agent in one call. <paramref name="listenerConversationId"/>, when given,
    /// is told (<see cref="Conversations.IConversationGrain.AgentChangedAsync"/>) when any of it changes.
    /// </summary>
    [ReadOnly, Alias("snapshot")] Task<AgentSnapshot> GetSnapshotAsync(string? listenerConversationId);
}

/// <summary>A connection to verify, with the revision a result must match; <see cref="Status"/> set when no desk call can tell more.</summary>
[GenerateSerializer, Immutable, Alias("handoff.helpdesk-to-verify")]
public sealed record HelpDeskToVerify(
    [property: Id(0)] long Revision,
    [property: Id(1)] HelpDeskConnection Connection,
    [property: Id(2)] string? Status = null,
    [property: Id(3)] string? Detail = null);

/// <summary>One agent's settings, bot and help-desk connection (secrets decrypted) at one <see cref="Version"/>.</summary>
[GenerateSerializer, Immutable, Alias("handoff.agent-snapshot")]
public sealed record AgentSnapshot(
    [property: Id(0)] long Version,
    [property: Id(1)] HandoffSettings? Settings,
    [property: Id(2)] BotSettings? Bot,
    [property: Id(3)] HelpDeskConnection? HelpDesk);

/// <summary>A conversation of the agent as the operator console lists it.</summary>
[GenerateSerializer, Immutable, Alias("handoff.live-conversation")]
public sealed record LiveConversation(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] string Channel,
    [property: Id(2)] string State,
    [property: Id(3)] string? Reason,
    [property: Id(4)] string? Email,
    [property: Id(5)] DateTimeOffset At);

/// <summary>The list of agents, for the operator console. Key: <see cref="Key"/>.</summary>
[Alias("handoff.agent-directory")]
public interface IAgentDirectoryGrain : IGrainWithStringKey
{
    public const string Key = "all-agents";

    [Alias("add")] Task AddAsync(string agentId);
    [Alias("list")] Task<IReadOnlyList<string>> ListAsync();
}

public static class AgentKeys
{
    // A prefix keeps all-digit agent ids from being read as integer grain keys by the ADO.NET storage.
    public static string For(string agentId) => "agent-" + agentId;

    public static string AgentIdOf(string key) => key.StartsWith("agent-", StringComparison.Ordinal) ? key["agent-".Length..] : key;
}
