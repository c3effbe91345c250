using Handoff.Contracts.Agents;

namespace Handoff.Grains.Agents;

[GenerateSerializer, Alias("handoff.agent-state")]
public sealed class AgentState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public HandoffSettings? Settings { get; set; }
    [Id(2)] public HelpDeskConnection? HelpDesk { get; set; }
}
