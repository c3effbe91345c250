using Handoff.Contracts.Agents;

namespace Handoff.Grains.Agents;

/// <summary>What an agent grain persists.</summary>
[GenerateSerializer, Alias("handoff.agent-state")]
public sealed class AgentState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public HandoffSettings? Settings { get; set; }
    [Id(2)] public HelpDeskConnection? HelpDesk { get; set; }

    /// <summary>The bot settings; the API key is sealed by <see cref="SecretProtector"/>.</summary>
    [Id(3)] public BotSettings? Bot { get; set; }

    /// <summary>Grows with every change: what a conversation's cached snapshot is compared against.</summary>
    [Id(4)] public long Version { get; set; }

    /// <summary>Grows when the connection itself is replaced (not when only its status changes): a late verification of an older one is dropped.</summary>
    [Id(5)] public long HelpDeskRevision { get; set; }
}
