using Handoff.Contracts.Conversations;

namespace Handoff.Grains.Conversations;

[GenerateSerializer, Alias("handoff.handoff-link-state")]
public sealed class HandoffLinkState
{
    [Id(0)] public HandoffLink? Link { get; set; }
}

/// <summary>Finds the conversation behind a hand-off id or a desk conversation id that a help-desk sends back to us.</summary>
[GrainType("handoff-link")]
public sealed class HandoffLinkGrain(
    [PersistentState(stateName: "handoff-link", storageName: GrainStorage.Name)] IPersistentState<HandoffLinkState> state)
    : Grain, IHandoffLinkGrain
{
    public async Task SetAsync(string agentId, string conversationId)
    {
        state.State.Link = new HandoffLink(agentId, conversationId);
        await state.WriteStateAsync();
    }

    public async Task SetAsync(HandoffLink link)
    {
        state.State.Link = link;
        await state.WriteStateAsync();
    }

    public Task<HandoffLink?> GetAsync() => Task.FromResult(state.State.Link);

    public async Task<HandoffLink> EnsureDeskConversationAsync(string agentId, string kind, string deskConversationId)
    {
        if (state.State.Link is { } known && known.AgentId == agentId)
        {
            return known;
        }

        var conversationId = "c" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        await GrainFactory.GetGrain<IConversationGrain>(conversationId).CreateInDeskAsync(agentId, kind, deskConversationId);
        state.State.Link = new HandoffLink(agentId, conversationId);
        await state.WriteStateAsync();
        return state.State.Link;
    }
}
