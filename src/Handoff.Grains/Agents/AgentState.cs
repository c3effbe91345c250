using Handoff.Contracts.Agents;

namespace Handoff.Grains.Agents;

[GenerateSerializer, Alias("handoff.agent-state")]
public sealed class AgentState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public HandoffSettings? Settings { get; set; }
    [Id(2)] public HelpDeskConnection? HelpDesk { get; set; }

    /// <summary>The bot settings; the API key is sealed by <see cref="SecretProtector"/>.</summary>
    [Id(3)] public BotSettings? Bot { get; set; }
}
