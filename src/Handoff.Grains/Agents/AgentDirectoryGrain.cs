using Handoff.Contracts.Agents;

namespace Handoff.Grains.Agents;

[GenerateSerializer, Alias("handoff.agent-directory-state")]
public sealed class AgentDirectoryState
{
    [Id(0)] public SortedSet<string> AgentIds { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Knows which agents exist, so the operator console can list them.</summary>
[GrainType("agent-directory")]
public sealed class AgentDirectoryGrain(
    [PersistentState(stateName: "agent-directory", storageName: GrainStorage.Name)] IPersistentState<AgentDirectoryState> state)
    : Grain, IAgentDirectoryGrain
{
    public async Task AddAsync(string agentId)
    {
        if (state.State.AgentIds.Add(agentId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.AgentIds.ToList());
}
